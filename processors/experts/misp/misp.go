// Package misp is the MISP expert (IntelMQ's misp): it searches a MISP
// instance for attributes whose value is the event's source.ip (REST API
// /attributes/restSearch, authenticated by the Authorization header) and
// sets misp.attribute_uuid and misp.event_uuid of the first match, and adds
// a tag (parameter tag) to the event's tags; with copy_tags also the
// attribute's own MISP tags.
//
// Events without source.ip, and addresses MISP does not know, pass on
// unchanged. UUIDs already set are kept unless overwrite (IntelMQ fails
// such an event instead). 429, 5xx, network errors and timeouts are
// retried; other HTTP errors (a wrong key: 403) dead-letter the event.
// Results are cached per address (redis_cache_ttl).
package misp

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/internal/cache"
	"github.com/intelstream/intelstream/processors/experts/internal/enrich"
	"github.com/intelstream/intelstream/processors/experts/internal/httpq"
	"github.com/intelstream/intelstream/topology"
)

// Name is the node kind's name.
const Name = "misp"

// Spec is the node spec of the MISP expert.
var Spec = topology.Spec{
	Name:    Name,
	Kind:    topology.KindExpert,
	Doc:     "Looks source.ip up in MISP and sets misp.attribute_uuid, misp.event_uuid and a tag.",
	IntelMQ: "intelmq.bots.experts.misp.expert",
	Params: slices.Concat([]topology.Param{
		{Name: "misp_url", Type: topology.ParamString, Required: true, Doc: "Base URL of the MISP instance.", Example: "https://misp.example.org/"},
		{Name: "misp_key", Type: topology.ParamString, Required: true, Doc: "MISP automation key (sent in the Authorization header)."},
		{Name: "tag", Type: topology.ParamString, Default: "misp", Doc: "Tag added to events found in MISP (empty: none)."},
		{Name: "copy_tags", Type: topology.ParamBool, Default: false, Doc: "Also add the MISP attribute's tags."},
		{Name: "overwrite", Type: topology.ParamBool, Default: false, Doc: "Replace MISP UUIDs already set."},
	}, httpq.Params, cache.Params(0)),
	Produces: []string{"misp.attribute_uuid", "misp.event_uuid", "tags"},
}

func init() {
	topology.Register(Spec, func(p topology.Params) (any, error) { return New(p) })
}

// Match is what MISP knows about an address.
type Match struct {
	AttributeUUID string   `json:"attribute_uuid,omitempty"`
	EventUUID     string   `json:"event_uuid,omitempty"`
	Tags          []string `json:"tags,omitempty"`
}

// Expert is the MISP expert.
type Expert struct {
	http      *httpq.Client
	lookup    cache.Lookup[Match]
	search    string
	header    http.Header
	tag       string
	copyTags  bool
	overwrite bool
}

// New builds the expert.
func New(p topology.Params) (*Expert, error) {
	base := p.String("misp_url")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &topology.ParamError{Node: Name, Param: "misp_url", Err: fmt.Errorf("%q is not an http(s) URL", base)}
	}
	key := strings.TrimSpace(p.String("misp_key"))
	if key == "" || strings.HasPrefix(key, "<") {
		return nil, &topology.ParamError{Node: Name, Param: "misp_key", Err: fmt.Errorf("no key given")}
	}
	x := &Expert{search: strings.TrimRight(base, "/") + "/attributes/restSearch",
		header: http.Header{"Authorization": {key}},
		tag:    p.String("tag"), copyTags: p.Bool("copy_tags"), overwrite: p.Bool("overwrite")}
	if x.tag != "" {
		var probe dho.Event
		if err := probe.Append("tags", x.tag); err != nil {
			return nil, &topology.ParamError{Node: Name, Param: "tag", Err: err}
		}
	}
	if x.http, err = httpq.FromParams(Name, p); err != nil {
		return nil, err
	}
	if x.lookup, err = cache.LookupFromParams[Match](Name, p); err != nil {
		return nil, err
	}
	return x, nil
}

// Spec returns the node spec.
func (*Expert) Spec() topology.Spec { return Spec }

// Process looks e's source.ip up and emits e.
func (x *Expert) Process(ctx context.Context, e *dho.Event, emit func(*dho.Event)) error {
	if len(e.Source.IP) == 0 {
		emit(e)
		return nil
	}
	ip := e.Source.IP[0]
	m, err := x.lookup.Do(ctx, ip, func() (Match, error) { return x.Search(ctx, ip) })
	if err == nil {
		err = x.apply(e, m)
	}
	return enrich.Then(e, emit, err)
}

func (x *Expert) apply(e *dho.Event, m Match) error {
	if m.AttributeUUID == "" {
		return nil
	}
	if _, err := enrich.Add(e, "misp.attribute_uuid", m.AttributeUUID, x.overwrite); err != nil {
		return err
	}
	if m.EventUUID != "" {
		if _, err := enrich.Add(e, "misp.event_uuid", m.EventUUID, x.overwrite); err != nil {
			return err
		}
	}
	var tags []string
	if x.tag != "" {
		tags = append(tags, x.tag)
	}
	if x.copyTags {
		tags = append(tags, m.Tags...)
	}
	if len(tags) > 0 {
		return e.Append("tags", tags)
	}
	return nil
}

// restSearch is MISP's attribute search request.
type restSearch struct {
	ReturnFormat string `json:"returnFormat"`
	Value        string `json:"value"`
	Page         int    `json:"page"`
	Limit        int    `json:"limit"`
}

// Search asks MISP for the first attribute with the value ip.
func (x *Expert) Search(ctx context.Context, ip string) (Match, error) {
	var r struct {
		Response struct {
			Attribute []struct {
				UUID  string `json:"uuid"`
				Event struct {
					UUID string `json:"uuid"`
				} `json:"Event"`
				Tag []struct {
					Name string `json:"name"`
				} `json:"Tag"`
			} `json:"Attribute"`
		} `json:"response"`
	}
	req := restSearch{ReturnFormat: "json", Value: ip, Page: 1, Limit: 1}
	if err := x.http.DoJSON(ctx, http.MethodPost, x.search, x.header, req, &r); err != nil {
		return Match{}, err
	}
	if len(r.Response.Attribute) == 0 {
		return Match{}, nil
	}
	a := r.Response.Attribute[0]
	m := Match{AttributeUUID: strings.ToLower(a.UUID), EventUUID: strings.ToLower(a.Event.UUID)}
	for _, t := range a.Tag {
		m.Tags = append(m.Tags, t.Name)
	}
	return m, nil
}
