// Package maxmindtest writes small MaxMind databases for tests (with
// MaxMind's own writer, so they are real .mmdb files).
package maxmindtest

import (
	"bytes"
	"net"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// City is one network of a City database.
type City struct {
	Network, CC, RegisteredCC, City string
	Lat, Lon                        *float64
}

// ASN is one network of an ASN database.
type ASN struct {
	Network string
	Number  uint32
	Org     string
}

func write(dbType string, built time.Time, insert func(t *mmdbwriter.Tree) error) ([]byte, error) {
	t, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, IncludeReservedNetworks: true,
		BuildEpoch: built.Unix(), RecordSize: 28, Languages: []string{"en"},
		Description: map[string]string{"en": "intelstream test database"}})
	if err != nil {
		return nil, err
	}
	if err := insert(t); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := t.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// CityDB returns a GeoLite2-City database with the given networks.
func CityDB(built time.Time, nets ...City) ([]byte, error) {
	return write("GeoLite2-City", built, func(t *mmdbwriter.Tree) error {
		for _, n := range nets {
			_, ipn, err := net.ParseCIDR(n.Network)
			if err != nil {
				return err
			}
			rec := mmdbtype.Map{}
			if n.CC != "" {
				rec["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(n.CC), "names": mmdbtype.Map{"en": mmdbtype.String(n.CC + " land")}}
			}
			if n.RegisteredCC != "" {
				rec["registered_country"] = mmdbtype.Map{"iso_code": mmdbtype.String(n.RegisteredCC)}
			}
			if n.City != "" {
				rec["city"] = mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(n.City), "de": mmdbtype.String(n.City + " (de)")}}
			}
			loc := mmdbtype.Map{"accuracy_radius": mmdbtype.Uint16(20)}
			if n.Lat != nil {
				loc["latitude"] = mmdbtype.Float64(*n.Lat)
			}
			if n.Lon != nil {
				loc["longitude"] = mmdbtype.Float64(*n.Lon)
			}
			rec["location"] = loc
			if err := t.Insert(ipn, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// ASNDB returns a GeoLite2-ASN database with the given networks.
func ASNDB(built time.Time, nets ...ASN) ([]byte, error) {
	return write("GeoLite2-ASN", built, func(t *mmdbwriter.Tree) error {
		for _, n := range nets {
			_, ipn, err := net.ParseCIDR(n.Network)
			if err != nil {
				return err
			}
			rec := mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(n.Number), "autonomous_system_organization": mmdbtype.String(n.Org)}
			if err := t.Insert(ipn, rec); err != nil {
				return err
			}
		}
		return nil
	})
}
