package constituency

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The columns of a constituency CSV file (a header row names them, in any
// order; organisation is required, the others optional). Lists in a cell
// are separated by ";", "," or spaces.
var csvColumns = []string{"organisation", "sector", "contact", "tags", "networks", "asns", "domains", "names"}

// ReadCSV reads constituency entries from CSV with a header row.
func ReadCSV(r io.Reader) ([]Entry, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !contains(csvColumns, h) {
			return nil, fmt.Errorf("header: unknown column %q (known: %s)", h, strings.Join(csvColumns, ", "))
		}
		col[h] = i
	}
	if _, ok := col["organisation"]; !ok {
		return nil, errors.New("header: no organisation column")
	}
	var out []Entry
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		cell := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		asns, err := parseASNs(splitList(cell("asns")))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, Entry{
			Organisation: cell("organisation"),
			Sector:       cell("sector"),
			Contact:      cell("contact"),
			Tags:         splitList(cell("tags")),
			Networks:     splitList(cell("networks")),
			ASNs:         asns,
			Domains:      splitList(cell("domains")),
			Names:        splitNames(cell("names")),
		})
	}
	return out, nil
}

// splitNames splits the names cell at ";" (names may hold spaces and
// commas).
func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ";") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// ReadJSON reads constituency entries from a JSON list of objects with the
// CSV's column names as keys (lists as JSON arrays; ASNs as numbers).
// Unknown keys are refused.
func ReadJSON(r io.Reader) ([]Entry, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var out []Entry
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadFile reads a constituency file: JSON when its name ends in .json,
// CSV otherwise.
func ReadFile(path string) ([]Entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var entries []Entry
	if strings.EqualFold(filepath.Ext(path), ".json") {
		entries, err = ReadJSON(bytes.NewReader(b))
	} else {
		entries, err = ReadCSV(bytes.NewReader(b))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return entries, nil
}

// ReadTable reads constituency entries from a PostgreSQL table with the
// columns organisation, sector, contact (text), tags, networks, domains,
// names (text[]; networks may be cidr[] or inet[]) and asns (bigint[]).
// Missing optional columns are not allowed: create them, empty.
func ReadTable(ctx context.Context, conn *pgx.Conn, table string) ([]Entry, error) {
	id := pgx.Identifier(strings.Split(table, ".")).Sanitize()
	q := `SELECT organisation, coalesce(sector, ''), coalesce(contact, ''),
		coalesce(tags, '{}')::text[], coalesce(networks, '{}')::text[], coalesce(asns, '{}')::bigint[],
		coalesce(domains, '{}')::text[], coalesce(names, '{}')::text[] FROM ` + id + ` ORDER BY organisation`
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", table, err)
	}
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Organisation, &e.Sector, &e.Contact, &e.Tags, &e.Networks, &e.ASNs, &e.Domains, &e.Names); err != nil {
			rows.Close()
			return nil, fmt.Errorf("table %s: %w", table, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("table %s: %w", table, err)
	}
	return out, nil
}
