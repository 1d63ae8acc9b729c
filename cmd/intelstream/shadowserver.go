package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/internal/atomicfile"
	"github.com/intelstream/intelstream/processors/parsers/shadowserver"
)

// DefaultShadowserverSchemaURL is where Shadowserver publishes its report
// schema for IntelMQ-style parsers.
const DefaultShadowserverSchemaURL = "https://interchange.shadowserver.org/intelmq/v1/schema"

func newShadowserverCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "shadowserver", Short: "Shadowserver tools"}
	var url, output string
	var timeout time.Duration
	update := &cobra.Command{
		Use:   "update-schema",
		Short: "Download Shadowserver's current report schema for the parser",
		Long: `Download Shadowserver's current report schema, check that the parser can use
it, and write it to --output (atomically). Point the parser at it with its
schema_file parameter or the environment variable ` + shadowserver.EnvSchema + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			n, created, err := updateShadowserverSchema(ctx, url, output)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d report types (schema of %s)\n", output, n, created)
			return nil
		},
	}
	update.Flags().StringVar(&url, "url", DefaultShadowserverSchemaURL, "where to download the schema")
	update.Flags().StringVarP(&output, "output", "o", "shadowserver-intelmq.json", "file to write")
	update.Flags().DurationVar(&timeout, "timeout", time.Minute, "give up after this long")
	cmd.AddCommand(update)
	return cmd
}

func updateShadowserverSchema(ctx context.Context, url, output string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("User-Agent", "intelstream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("downloading the schema: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, "", fmt.Errorf("downloading the schema: %s answered %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, "", fmt.Errorf("downloading the schema: %w", err)
	}
	s, err := shadowserver.ParseSchema(data)
	if err != nil {
		return 0, "", fmt.Errorf("the downloaded schema is not usable, %s left as it was: %w", output, err)
	}
	if len(s.Reports) == 0 {
		return 0, "", fmt.Errorf("the downloaded schema has no report types, %s left as it was", output)
	}
	if err := atomicfile.WriteFile(output, data, 0o600); err != nil {
		return 0, "", err
	}
	return len(s.Reports), s.Created, nil
}
