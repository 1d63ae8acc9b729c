// Package pyjson reads and writes JSON exactly the way IntelMQ's Python code
// does, so that events written by intelstream are byte-for-byte identical to
// events written by IntelMQ, and events written by IntelMQ are read quickly
// and without loss.
//
// # Writing
//
// The Append* functions and [Writer] reproduce CPython 3's json.dumps (the C
// accelerated encoder, which produces the same bytes as the pure-Python one):
//
//   - Strings with ensure_ascii=False ([AppendString] with asciiOnly false):
//     only '"', '\\' and the control characters U+0000..U+001F are escaped;
//     \b \f \n \r \t use their short forms, the other control characters are
//     written as \u00XX with lowercase hex. '/', DEL (U+007F), U+2028,
//     U+2029 and all other non-ASCII characters are written as raw UTF-8.
//   - Strings with ensure_ascii=True (asciiOnly true): additionally every
//     character outside ' '..'~' (so DEL as well) is written as \uXXXX with
//     lowercase hex, characters above U+FFFF as a UTF-16 surrogate pair.
//   - Floats ([AppendFloat]) are written like float.__repr__: the shortest
//     digits that round-trip, in fixed notation with at least one digit after
//     the point when the decimal exponent is in [-4, 16) ("1.0", "0.0001",
//     "-0.0", "1000000000000000.0"), otherwise in scientific notation with a
//     signed exponent of at least two digits ("1e-05", "1e+16", "5e-324").
//     NaN and ±Inf are written as NaN, Infinity and -Infinity, which is what
//     json.dumps does with its default allow_nan=True; [AppendFloatStrict]
//     and [Options].DisallowNaN give the allow_nan=False behaviour (an error).
//   - Separators are Python's defaults ", " and ": " (indent=None), or the
//     compact ",", ":" (separators=(",", ":")) on request.
//   - Object keys written by [Append] are sorted like sort_keys=True, i.e. by
//     Unicode code point. For valid UTF-8 that is plain byte order, which is
//     what Go's string comparison does. (Python str may also hold lone
//     surrogates; encoded as surrogateescape/WTF-8 bytes they would still sort
//     by byte order, but a Go string cannot carry them as valid UTF-8, so the
//     question does not arise here.) Python's insertion-order output without
//     sort_keys cannot be reproduced from a Go map; use [Writer] for that.
//
// Go strings may contain invalid UTF-8, which a Python str cannot. The writer
// replaces each maximal invalid subsequence with U+FFFD, the policy of
// Python's bytes.decode("utf-8", "replace") (and of the Unicode standard and
// WHATWG), so output equals what Python writes after decoding the same bytes
// with errors="replace". Note that this differs from encoding/json, which
// writes one U+FFFD per invalid byte.
//
// # Reading
//
// [Decoder] is a pull tokenizer over a Go string. It accepts exactly what
// Python's json.loads accepts for a str argument (strict=True, the default):
// RFC 8259 JSON plus the constants NaN, Infinity and -Infinity as numbers.
// Everything else is refused, including a leading byte order mark, trailing
// commas, comments, single quotes, "+1", "01", ".5", "-NaN" and raw control
// characters inside strings. Differences from Python, all deliberate:
//
//   - A \uXXXX escape of a lone surrogate yields U+FFFD, because a Go string
//     cannot hold a surrogate as valid UTF-8 (Python keeps the lone
//     surrogate; encoding/json also substitutes U+FFFD).
//   - Invalid UTF-8 inside the input is replaced, by the same maximal-subpart
//     policy as the writer, instead of being rejected (Python's
//     json.loads(bytes) raises UnicodeDecodeError).
//   - Nesting deeper than 10000 levels is an error, as in encoding/json;
//     CPython fails near its recursion limit (about 1000) instead.
//
// Integers are returned as int64 by [Unmarshal]; integers that do not fit
// are returned as [BigInt] holding their exact decimal text, so that nothing
// is lost and writing them again reproduces Python's output. Numbers with a
// fraction or exponent become float64 like Python's float(), so "1e400"
// becomes +Inf.
package pyjson
