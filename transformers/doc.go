// Package transformers holds what the IDEA and n6 transformers share: the
// loss report of a conversion (Loss, Losses, LossError), the strict option
// that refuses lossy conversions, the conversion of foreign JSON values into
// DHO extra values and back, and the two topology node shapes both formats
// use at the edges of a topology: a parser node that reads a report of JSON
// records into DHO events, and a file output that writes foreign JSON lines
// and acknowledges a batch only after fsync.
//
// The formats themselves live in transformers/idea (CESNET's IDEA0) and
// transformers/n6 (CERT Polska's n6 event JSON).
package transformers
