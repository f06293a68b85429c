package backend

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"go.podman.io/image/v5/pkg/compression"
	"go.podman.io/image/v5/types"
)

// MaxDepth bounds how deeply the entries of a layer may nest. Storage's
// untar resolves every entry's parent with securejoin, one lstat per
// component of a path that grows by one, so a layer's cost grows with the
// cube of its depth: 500 nested directories take 6 s, 1999 take minutes.
// Real images stay far below 256 (a path that deep is already 512 bytes
// of one-letter names).
const MaxDepth = 256

// ErrTooDeep is wrapped by the error of a pull whose layer nests deeper
// than MaxDepth.
var ErrTooDeep = errors.New("a layer nests too deeply")

// depthChecked wraps src so that the layers read from it are checked for
// their depth while they are copied.
func depthChecked(src types.ImageReference) types.ImageReference { return checkedRef{src} }

// checkedRef is an image reference whose source checks each blob.
type checkedRef struct{ types.ImageReference }

// NewImageSource opens the wrapped reference's source, checking its blobs.
func (r checkedRef) NewImageSource(ctx context.Context, sys *types.SystemContext) (types.ImageSource, error) {
	src, err := r.ImageReference.NewImageSource(ctx, sys)
	if err != nil {
		return nil, err
	}
	return checkedSource{src}, nil
}

// checkedSource is an image source whose blobs are read through a depth
// check.
type checkedSource struct{ types.ImageSource }

// GetBlob returns the blob read through a depthScan.
func (s checkedSource) GetBlob(ctx context.Context, info types.BlobInfo, cache types.BlobInfoCache) (io.ReadCloser, int64, error) {
	rc, n, err := s.ImageSource.GetBlob(ctx, info, cache)
	if err != nil {
		return nil, 0, err
	}
	return newDepthScan(rc), n, nil
}

// A depthScan passes a blob through unchanged while a goroutine reads the
// same bytes as a (possibly compressed) tar and checks each entry's
// depth. A blob that is no tar (an image's config) ends the check, not
// the read. The check's verdict is in before the blob's end is reported,
// so a layer that nests too deeply always fails the copy.
type depthScan struct {
	src   io.ReadCloser
	pw    *io.PipeWriter
	fed   bool          // false once the check stopped reading
	done  chan struct{} // closed when the check ended
	err   error         // the check's verdict, read after done
	ended bool          // src is drained, pw closed
}

func newDepthScan(src io.ReadCloser) *depthScan {
	pr, pw := io.Pipe()
	d := &depthScan{src: src, pw: pw, fed: true, done: make(chan struct{})}
	go func() {
		d.err = checkDepth(pr, MaxDepth)
		_ = pr.Close()
		close(d.done)
	}()
	return d
}

// Read reads from the blob, feeding what it read to the check.
func (d *depthScan) Read(p []byte) (int, error) {
	n, err := d.src.Read(p)
	if n > 0 && d.fed {
		if _, werr := d.pw.Write(p[:n]); werr != nil {
			d.fed = false // the check ended: its verdict is imminent
			<-d.done
		}
	}
	if err == io.EOF && !d.ended {
		d.ended = true
		_ = d.pw.Close()
		<-d.done
	}
	if (!d.fed || d.ended) && d.err != nil {
		return n, d.err
	}
	return n, err
}

// Close closes the blob and waits for the check to end.
func (d *depthScan) Close() error {
	err := d.src.Close()
	_ = d.pw.Close()
	<-d.done
	return err
}

// checkDepth reads r as a tar, compressed or not, and fails on the first
// entry nested deeper than maxDepth. Anything that is no tar passes.
func checkDepth(r io.Reader, maxDepth int) error {
	plain, _, err := compression.AutoDecompress(r)
	if err != nil {
		return nil
	}
	defer plain.Close()
	tr := tar.NewReader(plain)
	for {
		hdr, err := tr.Next()
		if err != nil {
			return nil
		}
		if n := depth(hdr.Name); n > maxDepth {
			return fmt.Errorf("%w: %q is %d levels deep, more than the %d that rl unpacks (storage's untar takes time that grows with the cube of the depth)",
				ErrTooDeep, shorten(hdr.Name), n, maxDepth)
		}
	}
}

// depth is the number of components of a layer's entry name.
func depth(name string) int {
	clean := strings.Trim(path.Clean("/"+name), "/")
	if clean == "" {
		return 0
	}
	return strings.Count(clean, "/") + 1
}

// shorten keeps an error about a long name to one readable line.
func shorten(name string) string {
	if len(name) <= 64 {
		return name
	}
	return name[:30] + "…" + name[len(name)-30:]
}
