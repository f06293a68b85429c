package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/spec"
)

// addRegistryFlags adds the flags that say how to reach a registry.
func addRegistryFlags(fl *pflag.FlagSet, tlsVerify, quiet *bool) {
	fl.BoolVar(tlsVerify, "tls-verify", true, "require HTTPS and verify certificates when pulling (false allows a plain-HTTP local registry)")
	fl.BoolVarP(quiet, "quiet", "q", false, "print no pull progress")
}

func newPullCommand(g *globalOptions) *cobra.Command {
	var o image.Options
	cmd := &cobra.Command{
		Use:   "pull [flags] IMAGE",
		Short: "Pull an image from a registry into rl's store",
		Args:  cobra.ExactArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			id, err := e.Images().Pull(ctx, args[0], o)
			if err == nil {
				fmt.Fprintln(c.OutOrStdout(), id)
			}
			return err
		}),
	}
	addRegistryFlags(cmd.Flags(), &o.TLSVerify, &o.Quiet)
	return cmd
}

// imageRow is one line of rl images: an image under one of its names
// (podman's template fields).
type imageRow struct {
	Repository   string
	Tag          string
	ID           string
	Created      string
	CreatedSince string
	CreatedAt    string
	Size         string
	Names        []string
}

var imageHeaders = map[string]string{"ID": "IMAGE ID", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT"}

// imageRows are the images' lines: one per name, one for an image without.
func imageRows(list []spec.ImageSummary, noTrunc bool) []imageRow {
	var rows []imageRow
	for _, img := range list {
		names := img.Names
		if len(names) == 0 {
			names = []string{"<none>:<none>"}
		}
		id := img.ID
		if !noTrunc {
			id = shortID(id)
		}
		for _, n := range names {
			repo, tag := n, "<none>"
			if i := strings.LastIndex(n, ":"); i > strings.LastIndex(n, "/") {
				repo, tag = n[:i], n[i+1:]
			}
			rows = append(rows, imageRow{Repository: repo, Tag: tag, ID: id, Created: ago(img.Created), CreatedSince: ago(img.Created),
				CreatedAt: img.Created.String(), Size: size(img.Size), Names: img.Names})
		}
	}
	return rows
}

func newImagesCommand(g *globalOptions) *cobra.Command {
	var format string
	var quiet, noTrunc, noHeading bool
	cmd := &cobra.Command{
		Use:   "images [flags]",
		Short: "List the images in rl's store",
		Args:  cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			list, err := e.Images().List(ctx)
			if err != nil {
				return err
			}
			out := c.OutOrStdout()
			switch {
			case format == "json":
				return printJSONList(out, list)
			case quiet:
				for _, img := range list {
					fmt.Fprintln(out, shortID(img.ID))
				}
				return nil
			case format == "" || format == "table":
				format = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}"
			}
			return printRows(out, format, imageRows(list, noTrunc), imageHeaders, noHeading)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "", "json, or a Go template over the columns (e.g. '{{.Repository}}:{{.Tag}} {{.ID}}'; 'table ...' adds a header row)")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print image ids only")
	fl.BoolVar(&noTrunc, "no-trunc", false, "do not shorten ids")
	fl.BoolVarP(&noHeading, "noheading", "n", false, "print no header row")
	// rl's store keeps no intermediate images: every image is listed.
	fl.BoolP("all", "a", false, "accepted for podman compatibility: rl lists every image already")
	return cmd
}

// ago renders a time as docker does: "3 days ago".
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "Less than a minute ago"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
	return fmt.Sprintf("%d months ago", int(d.Hours()/24/30))
}

// size renders bytes as docker does: "1.23MB".
func size(b int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f := float64(b)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	return fmt.Sprintf("%.3g%s", f, units[i])
}

func newRmiCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "rmi [flags] IMAGE...",
		Short: "Remove images from rl's store",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			ids, err := e.RemoveImages(ctx, args, force)
			for i, id := range ids {
				if id == "" {
					fmt.Fprintln(c.OutOrStdout(), "Untagged: "+args[i])
				} else {
					fmt.Fprintln(c.OutOrStdout(), "Deleted: "+id)
				}
			}
			return exitCode(err, 1) // podman's rmi of a missing image
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove an image even if a container uses it")
	return cmd
}

func newTagCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "tag SOURCE TARGET...",
		Short: "Give an image other names",
		Args:  cobra.MinimumNArgs(2),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			for _, target := range args[1:] {
				if err := e.Images().Tag(ctx, args[0], target); err != nil {
					return err
				}
			}
			return nil
		}),
	}
}

func newUntagCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "untag IMAGE [NAME...]",
		Short: "Remove names from an image (all of them without NAME); the image stays",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			return e.Images().Untag(ctx, args[0], args[1:])
		}),
	}
}

func newSaveCommand(g *globalOptions) *cobra.Command {
	var output, format string
	cmd := &cobra.Command{
		Use:   "save [flags] -o FILE IMAGE",
		Short: "Write an image to an archive file",
		Args:  cobra.ExactArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if output == "" {
				return fmt.Errorf("no output file: pass -o FILE")
			}
			return e.Images().Save(ctx, args[0], output, format)
		}),
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "archive file to write")
	cmd.Flags().StringVar(&format, "format", "docker-archive", "archive format: docker-archive or oci-archive")
	return cmd
}

func newLoadCommand(g *globalOptions) *cobra.Command {
	var input string
	var o image.Options
	cmd := &cobra.Command{
		Use:   "load [flags] -i FILE",
		Short: "Read an image from a docker or OCI archive file",
		Args:  cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			if input == "" {
				return fmt.Errorf("no input file: pass -i FILE")
			}
			name, err := e.Images().Load(ctx, input, o)
			if err == nil {
				fmt.Fprintln(c.OutOrStdout(), "Loaded image: "+name)
			}
			return err
		}),
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "archive file to read")
	cmd.Flags().BoolVarP(&o.Quiet, "quiet", "q", false, "print no progress")
	o.TLSVerify = true
	return cmd
}

func newImportCommand(g *globalOptions) *cobra.Command {
	var o image.Options
	cmd := &cobra.Command{
		Use:   "import [flags] TARBALL IMAGE",
		Short: "Make a one-layer image from a root filesystem tarball",
		Args:  cobra.ExactArgs(2),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			id, err := e.Images().Import(ctx, args[0], args[1], o)
			if err == nil {
				fmt.Fprintln(c.OutOrStdout(), id)
			}
			return err
		}),
	}
	cmd.Flags().BoolVarP(&o.Quiet, "quiet", "q", false, "print no progress")
	o.TLSVerify = true
	return cmd
}

func newLoginCommand(g *globalOptions) *cobra.Command {
	var user, password string
	var passwordStdin bool
	var o image.Options
	cmd := &cobra.Command{
		Use:   "login [flags] REGISTRY",
		Short: "Store credentials for a registry, after checking them there",
		Args:  cobra.ExactArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if passwordStdin {
				line, err := bufio.NewReader(c.InOrStdin()).ReadString('\n')
				if err != nil && line == "" {
					return fmt.Errorf("reading the password from stdin: %w", err)
				}
				password = strings.TrimRight(line, "\r\n")
			}
			if err := e.Images().Login(ctx, args[0], user, password, o); err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), "Login Succeeded!")
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&user, "username", "u", "", "user name")
	fl.StringVarP(&password, "password", "p", "", "password (visible to other users in ps: prefer --password-stdin)")
	fl.BoolVar(&passwordStdin, "password-stdin", false, "read the password from stdin")
	addRegistryFlags(fl, &o.TLSVerify, &o.Quiet)
	return cmd
}

func newLogoutCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "logout REGISTRY",
		Short: "Remove the stored credentials for a registry",
		Args:  cobra.ExactArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			return e.Images().Logout(ctx, args[0])
		}),
	}
}
