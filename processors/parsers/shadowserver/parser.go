package shadowserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/parsers"
)

// Name is the parser's name in our registry; IntelMQModule is IntelMQ's.
const (
	Name          = "shadowserver"
	IntelMQModule = "intelmq.bots.parsers.shadowserver.parser"
)

func init() {
	parsers.Register(Name, IntelMQModule, func(params map[string]any) (parsers.Parser, error) {
		return FromParams(params)
	})
}

// Config configures a Parser.
type Config struct {
	// Schema is the report schema; nil means the one named by the
	// INTELSTREAM_SHADOWSERVER_SCHEMA environment variable, or else the
	// embedded snapshot.
	Schema *Schema
	// ReportType fixes the report type by its file name part
	// ("scan_http"); otherwise it is detected per report.
	ReportType string
	// FeedName fixes the report type by its feed name ("Accessible-HTTP"),
	// as IntelMQ's feedname parameter does: a name the schema does not
	// know is ignored and the type is detected.
	FeedName string
	// Overwrite gives events the report type's feed name even when the
	// report has one (IntelMQ's overwrite parameter).
	Overwrite bool
}

// Parser parses Shadowserver's CSV reports, driven by the report schema,
// as IntelMQ's Shadowserver parser does: it finds the report type (fixed,
// or from the report's extra.file_name), maps each column with the schema's
// conversion functions, adds the type's constant fields, and puts every
// column without a mapping into extra.
type Parser struct {
	schema    *Schema
	fixed     *ReportType
	overwrite bool
}

// New returns a parser configured by c.
func New(c Config) (*Parser, error) {
	s := c.Schema
	if s == nil {
		var err error
		if s, err = defaultSchema(); err != nil {
			return nil, err
		}
	}
	p := &Parser{schema: s, overwrite: c.Overwrite}
	switch {
	case c.ReportType != "":
		rt, ok := s.ByFileName(c.ReportType)
		if !ok {
			return nil, fmt.Errorf("%w: report_type %q is not in the Shadowserver schema (dated %s)", parsers.ErrParameter, c.ReportType, s.Created)
		}
		p.fixed = rt
	case c.FeedName != "":
		p.fixed, _ = s.ByFeedName(c.FeedName)
	}
	return p, nil
}

func defaultSchema() (*Schema, error) {
	if path := os.Getenv(EnvSchema); path != "" {
		return LoadSchema(path)
	}
	return EmbeddedSchema(), nil
}

// FromParams makes a parser from IntelMQ's parameters of its Shadowserver
// parser, plus ours:
//
//   - feedname (IntelMQ): fix the report type by feed name;
//   - overwrite (IntelMQ): see Config.Overwrite;
//   - auto_update (IntelMQ): only false; schema files are updated outside
//     the parser;
//   - schema_file: read the report schema from this file;
//   - report_type: fix the report type by file name part.
func FromParams(params map[string]any) (*Parser, error) {
	ps := parsers.NewParams(params)
	var c Config
	c.FeedName = ps.String("feedname", "")
	c.Overwrite = ps.Bool("overwrite", false)
	c.ReportType = ps.String("report_type", "")
	if ps.Bool("auto_update", false) {
		ps.Fail("auto_update", errors.New("downloading the schema while parsing is not supported: give a newer schema with schema_file or "+EnvSchema))
	}
	file := ps.String("schema_file", "")
	if err := ps.Err(); err != nil {
		return nil, err
	}
	if file != "" {
		s, err := LoadSchema(file)
		if err != nil {
			return nil, fmt.Errorf("%w: schema_file: %v", parsers.ErrParameter, err)
		}
		c.Schema = s
	}
	return New(c)
}

// Schema returns the schema the parser uses.
func (p *Parser) Schema() *Schema { return p.schema }

// fileNameRe is IntelMQ's rule for report file names: an optional date,
// the report type (word characters), optional "-suffix" parts, ".csv".
// Python's \w is Unicode-aware and its $ also matches before a final
// newline.
var fileNameRe = regexp.MustCompile(`^(?:\d{4}-\d{2}-\d{2}-)?([\p{L}\p{N}_]+)(?:-[\p{L}\p{N}_]+)*\.csv\n?$`)

// ReportTypeOf returns the report type of a report file name, as IntelMQ
// reads it ("2019-01-01-scan_http-world-geo.csv" is "scan_http").
func ReportTypeOf(fileName string) (string, bool) {
	m := fileNameRe.FindStringSubmatch(fileName)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// reportType finds the report's type.
func (p *Parser) reportType(report *dho.Report) (*ReportType, error) {
	if p.fixed != nil {
		return p.fixed, nil
	}
	v, ok := report.Extra.Get("file_name")
	name, isText := v.Str()
	if !ok || (isText && name == "") {
		return nil, errors.New("the report has no extra.file_name and no report type is configured (feedname or report_type)")
	}
	if !isText {
		return nil, fmt.Errorf("the report's extra.file_name is not text: %s", v.Text())
	}
	typ, ok := ReportTypeOf(name)
	if !ok {
		return nil, fmt.Errorf("the report's extra.file_name %q is not a Shadowserver report file name (DATE-TYPE[-...].csv)", name)
	}
	rt, ok := p.schema.ByFileName(typ)
	if !ok {
		return nil, fmt.Errorf("report type %q (from extra.file_name %q) is not in the Shadowserver schema (dated %s)", typ, name, p.schema.Created)
	}
	return rt, nil
}

// checkEvery is how many rows go by between looks at the context.
const checkEvery = 1024

// Parse parses one report. It fails as a whole when the report type cannot
// be found; a row that cannot be parsed goes to fail.
func (p *Parser) Parse(ctx context.Context, report *dho.Report, emit func(*dho.Event) error, fail func(parsers.Failure)) error {
	rt, err := p.reportType(report)
	if err != nil {
		return err
	}
	r := parsers.NewCSVReader(report.Raw, parsers.UnixDialect)
	header, err := r.Next()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return fmt.Errorf("header line: %w", err)
	}
	plan := compile(rt, header.Fields, p.overwrite)
	raw := parsers.NewCSVRaw(header.Fields, parsers.UnixDialect, r.LineEnding())
	st := plan.newState()
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err == nil && len(rec.Fields) == 0 {
			continue // a blank line, which Python's DictReader skips
		}
		line := raw.Row(rec.Text)
		var ev *dho.Event
		if err == nil {
			ev, err = plan.event(st, report, rec.Fields, line)
		}
		if err != nil {
			fail(parsers.Failure{Line: rec.Line, Raw: line, Err: err})
			continue
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
}
