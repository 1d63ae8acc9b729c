package api

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/schema_validation"
)

// TestOpenAPIMatchesRouter walks the router and the document: every route
// is documented, every documented operation is routed, and the document is
// valid OpenAPI 3.1 (checked by libopenapi-validator against the 3.1
// schema).
func TestOpenAPIMatchesRouter(t *testing.T) {
	f := start(t)
	code, b := f.raw(t, RolePublic, "GET", "/openapi.json", "")
	if code != 200 {
		t.Fatalf("GET /openapi.json: %d", code)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	var routed, documented []string
	for _, rt := range f.srv.routes {
		routed = append(routed, rt.method+" "+docPath(rt.path))
		// The router really serves the pattern (not a 404 of the mux).
		if _, pattern := f.srv.mux.Handler(mustRequest(t, rt.method, strings.ReplaceAll(docPath(rt.path), "{name}", "tag"))); pattern != rt.method+" "+rt.path {
			t.Errorf("route %s %s: the mux matches %q", rt.method, rt.path, pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(routed)
	slices.Sort(documented)
	for _, r := range routed {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in the document", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routed, d) {
			t.Errorf("documented %s is not routed", d)
		}
	}

	// The parameter schema of the kind node comes from its spec.
	var full map[string]any
	_ = json.Unmarshal(b, &full)
	params := full["components"].(map[string]any)["schemas"].(map[string]any)["Params_tag"].(map[string]any)
	props := params["properties"].(map[string]any)
	if props["limit"].(map[string]any)["type"] != "integer" || props["tag"].(map[string]any)["x-runtime"] != true {
		t.Fatalf("Params_tag: %v", params)
	}

	d, err := libopenapi.NewDocument(b)
	if err != nil {
		t.Fatal(err)
	}
	if ok, errs := schema_validation.ValidateOpenAPIDocument(d); !ok {
		for _, e := range errs {
			t.Errorf("document: %s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s", se.Reason, se.FieldPath)
			}
		}
	}
	// Answers of the running API match the document's schemas.
	v, verrs := validator.NewValidator(d)
	if len(verrs) > 0 {
		t.Fatalf("validator: %v", verrs)
	}
	for _, call := range []string{"GET /api/v1/nodes/tag", "GET /api/v1/nodes/tag/meta", "GET /api/v1/nodes/tag/params", "GET /api/v1/topology",
		"GET /api/v1/log", "GET /healthz", "POST /api/v1/tests/examples", "POST /api/v1/nodes/tag/tests/examples", "POST /api/v1/tests/dryrun"} {
		method, path, _ := strings.Cut(call, " ")
		req := mustRequest(t, method, f.http.URL+path)
		req.Header.Set("Authorization", "Bearer "+testTokens[RoleAdmin].Secret)
		resp, err := f.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", call, resp.StatusCode)
		}
		if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
			for _, e := range errs {
				t.Errorf("%s answer: %s: %s", call, e.Message, e.Reason)
			}
		}
		resp.Body.Close()
	}
}
