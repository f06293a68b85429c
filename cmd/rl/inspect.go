package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/store"
)

func newInspectCommand(g *globalOptions) *cobra.Command {
	var format, kind string
	var latest bool
	cmd := &cobra.Command{
		Use:   "inspect [flags] CONTAINER|IMAGE|POD...",
		Short: "Show what rl knows of containers, images or pods, as JSON",
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			switch {
			case latest && len(args) > 0:
				return errors.New("--latest and names contradict each other: give one or the other")
			case latest:
				id, err := latestContainer(ctx, e)
				if err != nil {
					return err
				}
				args, kind = []string{id}, "container"
			case len(args) == 0:
				return errors.New("no container, image or pod given: rl inspect NAME..., or rl inspect --latest")
			}
			var out []any
			for _, ref := range args {
				v, err := inspectObject(ctx, e, kind, ref)
				if err != nil {
					return err
				}
				out = append(out, v)
			}
			return printInspection(c, format, out)
		}),
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "json, or a Go template over each record (e.g. '{{.State.Status}}')")
	cmd.Flags().StringVarP(&kind, "type", "t", "all", "what to look for: container, image, pod, or all (a container, else a pod, else an image)")
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "inspect the container created last")
	return cmd
}

// latestContainer is the id of the container created last, as podman's
// --latest finds it.
func latestContainer(ctx context.Context, e *rootless.Engine) (string, error) {
	states, err := e.Containers(ctx, store.Filter{}, true)
	if err != nil {
		return "", err
	}
	if len(states) == 0 {
		return "", fmt.Errorf("--latest: %w: there are none", store.ErrNoContainer)
	}
	return states[0].ID, nil // newest first
}

// newKindInspectCommand is rl container inspect and rl image inspect: rl
// inspect of one kind of object (container or image), named WHAT.
func newKindInspectCommand(g *globalOptions, kind, what string) *cobra.Command {
	cmd := newInspectCommand(g)
	cmd.Use, cmd.Short = "inspect [flags] "+what+"...", "Show what rl knows of "+kind+"s, as JSON"
	flag := cmd.Flags().Lookup("type")
	flag.DefValue = kind
	_ = flag.Value.Set(kind)
	return cmd
}

// inspectObject finds ref among the objects of kind, as podman's inspect
// looks: a container, then a pod, then an image.
func inspectObject(ctx context.Context, e *rootless.Engine, kind, ref string) (any, error) {
	switch kind {
	case "container":
		return e.Inspect(ctx, ref)
	case "pod":
		return e.InspectPodRecord(ctx, ref)
	case "image":
		return inspectImage(ctx, e, ref)
	case "all":
	default:
		return nil, fmt.Errorf("invalid --type %q: use container, image, pod or all", kind)
	}
	if in, err := e.Inspect(ctx, ref); !errors.Is(err, store.ErrNoContainer) {
		return in, err
	}
	if p, err := e.InspectPodRecord(ctx, ref); !errors.Is(err, store.ErrNoPod) {
		return p, err
	}
	in, err := inspectImage(ctx, e, ref)
	if errors.Is(err, image.ErrNotFound) {
		return nil, fmt.Errorf("no such object: %q", ref)
	}
	return in, err
}

// inspectImage is the image ref in podman's names.
func inspectImage(ctx context.Context, e *rootless.Engine, ref string) (rootless.ImageInspection, error) {
	rec, err := e.Images().Inspect(ctx, ref)
	if err != nil {
		return rootless.ImageInspection{}, err
	}
	return rootless.NewImageInspection(rec), nil
}

// printInspection prints inspect's records: a JSON array, or each through
// the template format.
func printInspection[T any](c *cobra.Command, format string, out []T) error {
	if format != "" && format != "json" {
		return printTemplate(c.OutOrStdout(), format, out)
	}
	if out == nil {
		out = []T{}
	}
	return printJSON(c.OutOrStdout(), out, "    ")
}
