package image

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// Names returns the names (and the ids of the unnamed) of the images in
// the store at graphRoot, read from containers/storage's own record,
// overlay-images/images.json, without starting rl-image: shell completion
// cannot wait for it. A store that cannot be read has none.
func Names(graphRoot string) []string {
	b, err := os.ReadFile(filepath.Join(graphRoot, "overlay-images", "images.json"))
	if err != nil {
		return nil
	}
	var images []struct {
		ID    string   `json:"id"`
		Names []string `json:"names"`
	}
	if json.Unmarshal(b, &images) != nil {
		return nil
	}
	var out []string
	for _, img := range images {
		if len(img.Names) == 0 {
			out = append(out, img.ID)
		}
		out = append(out, img.Names...)
	}
	return out
}
