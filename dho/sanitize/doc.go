// Package sanitize turns the values that feeds deliver into the canonical
// values of DHO 2.0 fields, or refuses them, the way IntelMQ 3.x's
// harmonization types do (intelmq/lib/harmonization.py): one function per
// IntelMQ value type, each returning the canonical value or an error.
//
// Where IntelMQ accepts a value and normalizes it, these functions accept
// it and produce the same canonical string (an IP address with a /32
// suffix becomes the bare address, "hxxp://" becomes "http://", a
// datetime becomes ISO 8601 in UTC ...), so events sanitized here compare
// equal to events sanitized by IntelMQ. Where IntelMQ would silently turn
// a value into something meaning different (an unknown time zone name
// read as UTC, a date with no day filled in from today), or silently drop
// part of it (bytes that are not valid UTF-8, characters that are not
// base64), these functions refuse the value instead; each such place is
// documented on the function.
//
// Errors are *ValueError values: the message quotes the offending value
// and says what is wrong with it (`"300.1.2.3" is not an IP address`);
// the caller adds the field name. errors.Is(err, ErrInvalid) holds for all
// of them.
//
// The common path does not allocate: an already canonical value is
// returned as the same string, and the sanitizers use no regular
// expressions. Per-field limits from the harmonization (length and
// pattern) are applied separately with Constraint.
package sanitize
