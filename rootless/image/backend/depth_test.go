package backend

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
)

// nestedTar is a gzipped tar of directories nested n deep.
func nestedTar(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for d := 1; d <= n; d++ {
		name := strings.Repeat("d/", d)
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readAll reads blob through a depthScan, as containers/image copies it.
func readAll(blob []byte) ([]byte, error) {
	d := newDepthScan(io.NopCloser(bytes.NewReader(blob)))
	defer d.Close()
	return io.ReadAll(d)
}

func TestDepthScanPassesShallowLayersAndOtherBlobs(t *testing.T) {
	for name, blob := range map[string][]byte{
		"layer":  nestedTar(t, MaxDepth),
		"config": []byte(`{"architecture":"amd64"}`),
		"empty":  nil,
	} {
		got, err := readAll(blob)
		if err != nil || !bytes.Equal(got, blob) {
			t.Errorf("%s: read %d of %d bytes, err %v", name, len(got), len(blob), err)
		}
	}
}

func TestDepthScanRefusesADeepLayer(t *testing.T) {
	_, err := readAll(nestedTar(t, MaxDepth+1))
	if !errors.Is(err, ErrTooDeep) || !strings.Contains(err.Error(), "257 levels deep") {
		t.Fatalf("err %v, want ErrTooDeep at 257 levels", err)
	}
}

func TestDepthScanCloseBeforeTheEnd(t *testing.T) {
	d := newDepthScan(io.NopCloser(bytes.NewReader(nestedTar(t, 10))))
	if _, err := d.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestDepth(t *testing.T) {
	for name, want := range map[string]int{"": 0, "./": 0, "a": 1, "a/b/": 2, "/a/b/c": 3, "../../a": 1, "a/../b/c": 2} {
		if got := depth(name); got != want {
			t.Errorf("depth(%q) = %d, want %d", name, got, want)
		}
	}
}
