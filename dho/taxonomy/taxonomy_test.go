package taxonomy

import (
	"fmt"
	"sort"
	"testing"
)

func TestTableShape(t *testing.T) {
	// IntelMQ 3.3 allows 44 types in 11 taxonomies.
	if got := len(Types()); got != 44 {
		t.Errorf("len(Types()) = %d, want 44", got)
	}
	if got := len(Taxonomies()); got != 11 {
		t.Errorf("len(Taxonomies()) = %d, want 11", got)
	}
	if !sort.StringsAreSorted(taxonomies) {
		t.Error("taxonomies not sorted: IsTaxonomy relies on it")
	}
	if !sort.SliceIsSorted(types, func(i, j int) bool { return types[i].Name < types[j].Name }) {
		t.Error("types not sorted by name")
	}
	used := map[string]bool{}
	for _, ty := range Types() {
		if !IsTaxonomy(ty.Taxonomy) {
			t.Errorf("type %s has unknown taxonomy %q", ty.Name, ty.Taxonomy)
		}
		if ty.Description == "" {
			t.Errorf("type %s has no description", ty.Name)
		}
		used[ty.Taxonomy] = true
	}
	for _, tx := range Taxonomies() {
		if !used[tx] {
			t.Errorf("taxonomy %s has no type", tx)
		}
		if TaxonomyDescription(tx) == "" {
			t.Errorf("taxonomy %s has no description", tx)
		}
		if len(TypesOf(tx)) == 0 {
			t.Errorf("TypesOf(%s) is empty", tx)
		}
	}
}

func TestTaxonomyOf(t *testing.T) {
	tests := []struct{ typ, taxonomy string }{
		{"infected-system", MaliciousCode},
		{"c2-server", MaliciousCode},
		{"malware-distribution", MaliciousCode},
		{"scanner", InformationGathering},
		{"phishing", Fraud},
		{"vulnerable-system", Vulnerable},
		{"ddos-amplifier", Vulnerable},
		{"undetermined", Other},
		{"other", Other},
		{"malware", Other},
		{"dga-domain", Other},
		{"blacklist", Other},
		{"tor", Other},
		{"proxy", Other},
		{"test", Test},
		{"data-leak", InformationContentSecurity},
		{"unauthorised-information-modification", InformationContentSecurity},
		{"ddos", Availability},
		{"outage", Availability},
		{"spam", AbusiveContent},
		{"brute-force", IntrusionAttempts},
		{"ids-alert", IntrusionAttempts},
		{"system-compromise", Intrusions},
		{"burglary", Intrusions},
	}
	for _, tt := range tests {
		got, ok := TaxonomyOf(tt.typ)
		if !ok || got != tt.taxonomy {
			t.Errorf("TaxonomyOf(%q) = %q, %v; want %q", tt.typ, got, ok, tt.taxonomy)
		}
	}
	for _, bad := range []string{"", "Scanner", "botnet drone", "malicious-code", "c&c"} {
		if got, ok := TaxonomyOf(bad); ok {
			t.Errorf("TaxonomyOf(%q) = %q, true; want not found", bad, got)
		}
	}
}

func TestIs(t *testing.T) {
	for _, s := range []string{"vulnerable", "other", "test", "information-content-security"} {
		if !IsTaxonomy(s) {
			t.Errorf("IsTaxonomy(%q) = false", s)
		}
	}
	for _, s := range []string{"", "Other", "malicious code", "vulnerable-system", "zzz"} {
		if IsTaxonomy(s) {
			t.Errorf("IsTaxonomy(%q) = true", s)
		}
	}
	for _, s := range []string{"scanner", "weak-crypto", "undetermined", "test"} {
		if !IsType(s) {
			t.Errorf("IsType(%q) = false", s)
		}
	}
	for _, s := range []string{"", "SCANNER", "vulnerable", "unknown"} {
		if IsType(s) {
			t.Errorf("IsType(%q) = true", s)
		}
	}
}

func TestLegacy(t *testing.T) {
	for old, cur := range LegacyTypes() {
		if !IsType(cur) {
			t.Errorf("legacy type %q renames to unknown type %q", old, cur)
		}
		if IsType(old) {
			t.Errorf("legacy type %q is also a current type", old)
		}
		if got, ok := CanonicalType(old); !ok || got != cur {
			t.Errorf("CanonicalType(%q) = %q, %v", old, got, ok)
		}
	}
	for old, cur := range LegacyTaxonomies() {
		if !IsTaxonomy(cur) {
			t.Errorf("legacy taxonomy %q renames to unknown %q", old, cur)
		}
		if got, ok := CanonicalTaxonomy(old); !ok || got != cur {
			t.Errorf("CanonicalTaxonomy(%q) = %q, %v", old, got, ok)
		}
	}
	if got, ok := CanonicalType("botnet drone"); !ok || got != "infected-system" {
		t.Errorf("CanonicalType(botnet drone) = %q, %v", got, ok)
	}
	if got, ok := CanonicalType("scanner"); !ok || got != "scanner" {
		t.Errorf("CanonicalType(scanner) = %q, %v", got, ok)
	}
	if _, ok := CanonicalType("Botnet Drone"); ok {
		t.Error("CanonicalType must not lowercase: the sanitizer does")
	}
	if got, ok := CanonicalTaxonomy("malicious code"); !ok || got != MaliciousCode {
		t.Errorf("CanonicalTaxonomy(malicious code) = %q, %v", got, ok)
	}
}

func TestCopies(t *testing.T) {
	a := Types()
	a[0].Name = "changed"
	if Types()[0].Name == "changed" {
		t.Error("Types returns the internal slice")
	}
	b := Taxonomies()
	b[0] = "changed"
	if Taxonomies()[0] == "changed" {
		t.Error("Taxonomies returns the internal slice")
	}
	if ty, ok := Lookup("scanner"); !ok || ty.Taxonomy != InformationGathering {
		t.Errorf("Lookup(scanner) = %+v, %v", ty, ok)
	}
}

func BenchmarkTaxonomyOf(b *testing.B) {
	for b.Loop() {
		TaxonomyOf("vulnerable-system")
	}
}

func ExampleTaxonomyOf() {
	tx, _ := TaxonomyOf("infected-system")
	fmt.Println(tx)
	cur, _ := CanonicalType("botnet drone")
	fmt.Println(cur)
	// Output:
	// malicious-code
	// infected-system
}
