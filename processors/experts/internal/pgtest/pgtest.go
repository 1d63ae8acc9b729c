// Package pgtest connects the experts' tests to the machine's PostgreSQL
// (127.0.0.1:5432, user postgres, database test): skipped when it is not
// reachable, unless CI=true.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Addr is where the test PostgreSQL listens.
const Addr = "127.0.0.1:5432"

// DSN is the connection string of the test database.
const DSN = "postgres://postgres@" + Addr + "/test?sslmode=disable"

// Table connects to the test database, creates a table named after the test
// with the given column definitions and drops it at the end of the test. It
// returns the connection and the table's name.
func Table(t testing.TB, columns string) (*pgx.Conn, string) {
	t.Helper()
	if c, err := net.DialTimeout("tcp", Addr, 2*time.Second); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is not reachable on %s: %v", Addr, err)
		}
		t.Skipf("PostgreSQL is not reachable on %s: %v", Addr, err)
	} else {
		c.Close()
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, DSN)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.ToLower(fmt.Sprintf("t_%s_%d", strings.NewReplacer("/", "_", " ", "_", "-", "_").Replace(t.Name()), time.Now().UnixNano()%1e9))
	if _, err := conn.Exec(ctx, "CREATE TABLE "+pgx.Identifier{name}.Sanitize()+" ("+columns+")"); err != nil {
		conn.Close(ctx)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+pgx.Identifier{name}.Sanitize())
		conn.Close(context.Background())
	})
	return conn, name
}
