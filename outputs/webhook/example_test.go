package webhook_test

import (
	"fmt"

	"github.com/intelstream/intelstream/outputs/webhook"
)

// A receiver checks a request by computing the signature of the timestamp
// header's value and the body under the shared secret, and comparing it
// (with hmac.Equal) to the signature header.
func ExampleSign() {
	fmt.Println(webhook.Sign([]byte("s3cret"), "1773480413", []byte(`{"source.ip": "192.0.2.1"}`)))
	// Output: sha256=b0ebddaca4844c79cb6560d9e08912aad6450aac9b75bcf75f38481a85ebc597
}
