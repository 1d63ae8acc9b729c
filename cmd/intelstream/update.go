package main

import (
	"archive/tar"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/intelstream/intelstream/processors/experts/asnlookup"
	domainsuffix "github.com/intelstream/intelstream/processors/experts/domain_suffix"
	"github.com/intelstream/intelstream/processors/experts/maxmind"
	"github.com/intelstream/intelstream/processors/experts/tornodes"
	"github.com/intelstream/intelstream/topology"
)

func init() { addCommand(newUpdateCmd) }

// updateSource says where a data file of a node kind comes from and how a
// download becomes the file.
type updateSource struct {
	kind      string // node kind whose database parameter gives the default file
	fileParam string // that parameter
	url       func(licenseKey string) (string, error)
	// content turns the downloaded bytes into the file's content.
	content func(body []byte, from string) ([]byte, error)
	// check parses the new file before it replaces the old one and says
	// what it holds.
	check func(path string) (string, error)
}

const maxmindDownload = "https://download.maxmind.com/app/geoip_download"

func maxmindSource(kind, edition string) updateSource {
	return updateSource{
		kind: kind, fileParam: "database",
		url: func(key string) (string, error) {
			if key == "" {
				return "", errors.New("a MaxMind license key is needed: --license-key or MAXMIND_LICENSE_KEY (or --url)")
			}
			return maxmindDownload + "?" + url.Values{"edition_id": {edition}, "license_key": {key}, "suffix": {"tar.gz"}}.Encode(), nil
		},
		content: func(body []byte, _ string) ([]byte, error) { return extractMMDB(body) },
		check: func(path string) (string, error) {
			typ, built, err := maxmind.OpenDatabase(path)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s built %s", typ, built.UTC().Format(time.DateOnly)), nil
		},
	}
}

var updateSources = map[string]updateSource{
	maxmind.GeoIPName: maxmindSource(maxmind.GeoIPName, "GeoLite2-City"),
	maxmind.ASNName:   maxmindSource(maxmind.ASNName, "GeoLite2-ASN"),
	tornodes.Name: {
		kind: tornodes.Name, fileParam: "database",
		url: func(string) (string, error) { return "https://check.torproject.org/exit-addresses", nil },
		content: func(body []byte, from string) ([]byte, error) {
			nodes, err := tornodes.Parse(bytes.NewReader(body))
			if err != nil {
				return nil, err
			}
			ips := make([]string, 0, len(nodes))
			for a := range nodes {
				ips = append(ips, a.String())
			}
			slices.Sort(ips)
			return []byte(fmt.Sprintf("# Tor exit nodes from %s, %s\n%s\n", from, time.Now().UTC().Format(time.RFC3339), strings.Join(ips, "\n"))), nil
		},
		check: func(path string) (string, error) {
			n, err := tornodes.ParseFile(path)
			return fmt.Sprintf("%d exit nodes", len(n)), err
		},
	},
	asnlookup.Name: {
		kind: asnlookup.Name, fileParam: "database",
		url: func(string) (string, error) {
			return "", errors.New("give --url of a routing table dump in pyasn's ipasn format (plain, gzip or bzip2)")
		},
		content: func(body []byte, _ string) ([]byte, error) { return decompress(body) },
		check: func(path string) (string, error) {
			t, err := asnlookup.ParseFile(path)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d prefixes", t.Len()), nil
		},
	},
	domainsuffix.Name: {
		kind: domainsuffix.Name, fileParam: "suffix_file",
		url:     func(string) (string, error) { return "https://publicsuffix.org/list/public_suffix_list.dat", nil },
		content: func(body []byte, _ string) ([]byte, error) { return decompress(body) },
		check: func(path string) (string, error) {
			f, err := os.Open(path)
			if err != nil {
				return "", err
			}
			defer f.Close()
			if _, err := domainsuffix.ParseList(f); err != nil {
				return "", err
			}
			return "public suffix list", nil
		},
	},
}

func newUpdateCmd() *cobra.Command {
	var srcURL, file, licenseKey string
	var timeout time.Duration
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range updateSources {
			if !yield(k) {
				return
			}
		}
	})
	cmd := &cobra.Command{
		Use:   "update NAME",
		Short: "Download the data file of a lookup expert (" + strings.Join(names, ", ") + ")",
		Long: `Download the data file an expert reads and replace it atomically: the download
goes to a temporary file beside the target, is checked to parse as the expert
reads it, and only then renamed over the old file (a running node reloads it
when it sees the change). A failed download or a file that does not parse
leaves the old file as it was.

Sources: maxmind_geoip and maxmind_asn download GeoLite2 City/ASN from MaxMind
(license key needed); tor_nodes Tor's exit list; domain_suffix the public
suffix list; asn_lookup needs --url of an ipasn file (pyasn's format). --file
defaults to the node kind's default database path.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: names,
		RunE: func(cmd *cobra.Command, args []string) error {
			src, ok := updateSources[args[0]]
			if !ok {
				return fmt.Errorf("update: no data file for %q (known: %s)", args[0], strings.Join(names, ", "))
			}
			if licenseKey == "" {
				licenseKey = os.Getenv("MAXMIND_LICENSE_KEY")
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			msg, err := runUpdate(ctx, src, srcURL, file, licenseKey)
			if err != nil {
				return fmt.Errorf("update %s: %w", args[0], err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), msg)
			return nil
		},
	}
	cmd.Flags().StringVar(&srcURL, "url", "", "download from this URL instead of the default source")
	cmd.Flags().StringVar(&file, "file", "", "file to write (default: the node kind's default path)")
	cmd.Flags().StringVar(&licenseKey, "license-key", "", "MaxMind license key (default $MAXMIND_LICENSE_KEY)")
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Minute, "give up after this long")
	return cmd
}

func runUpdate(ctx context.Context, src updateSource, srcURL, file, licenseKey string) (string, error) {
	if file == "" {
		file = defaultParam(src.kind, src.fileParam)
		if file == "" {
			return "", errors.New("give --file")
		}
	}
	if srcURL == "" {
		var err error
		if srcURL, err = src.url(licenseKey); err != nil {
			return "", err
		}
	}
	body, err := download(ctx, srcURL)
	if err != nil {
		return "", err
	}
	content, err := src.content(body, redactURL(srcURL))
	if err != nil {
		return "", fmt.Errorf("%s: %w", redactURL(srcURL), err)
	}
	what, err := replaceFile(file, content, src.check)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: %s (%d bytes, %s)", file, "updated", len(content), what), nil
}

// defaultParam returns the default of a node kind's string parameter.
func defaultParam(kind, param string) string {
	r, ok := topology.Lookup(kind)
	if !ok {
		return ""
	}
	for _, p := range r.Spec.Params {
		if p.Name == param {
			s, _ := p.Default.(string)
			return s
		}
	}
	return ""
}

// redactURL hides a license key in messages.
func redactURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := pu.Query()
	if q.Has("license_key") {
		q.Set("license_key", "REDACTED")
		pu.RawQuery = q.Encode()
	}
	return pu.String()
}

const maxDownload = 1 << 30

func download(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "intelstream/"+version)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", redactURL(u), errors.Unwrap(err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, fmt.Errorf("download %s: HTTP 401: the license key (or credentials) was refused", redactURL(u))
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("download %s: HTTP %s", redactURL(u), resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", redactURL(u), err)
	}
	if len(body) > maxDownload {
		return nil, fmt.Errorf("download %s: more than %d bytes", redactURL(u), maxDownload)
	}
	return body, nil
}

// decompress undoes gzip or bzip2 compression, recognized by magic bytes.
func decompress(b []byte) ([]byte, error) {
	var r io.Reader
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		r = zr
	case bytes.HasPrefix(b, []byte("BZh")):
		r = bzip2.NewReader(bytes.NewReader(b))
	default:
		return b, nil
	}
	return io.ReadAll(io.LimitReader(r, maxDownload))
}

// extractMMDB returns the .mmdb file of MaxMind's tar.gz archive (or the
// download itself when it is a bare, possibly gzipped, database).
func extractMMDB(b []byte) ([]byte, error) {
	b, err := decompress(b)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, errors.New("no .mmdb file in the archive")
		}
		if err != nil {
			if len(b) > 512 && bytes.Contains(b[len(b)-min(len(b), 128*1024):], []byte("\xab\xcd\xefMaxMind.com")) {
				return b, nil // not a tar archive: a database
			}
			return nil, fmt.Errorf("not a tar archive or database: %w", err)
		}
		if h.Typeflag == tar.TypeReg && strings.HasSuffix(h.Name, ".mmdb") {
			return io.ReadAll(io.LimitReader(tr, maxDownload))
		}
	}
}

// replaceFile writes content to a temporary file beside path, checks it,
// and renames it over path.
func replaceFile(path string, content []byte, check func(string) (string, error)) (string, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	what, err := check(tmp.Name())
	if err != nil {
		return "", fmt.Errorf("the download does not parse, %s left as it was: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	return what, nil
}
