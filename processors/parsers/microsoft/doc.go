// Package microsoft parses Microsoft's feeds as IntelMQ's Microsoft
// parsers do. It registers two parsers:
//
//   - "microsoft_ctip" (IntelMQ's intelmq.bots.parsers.microsoft.parser_ctip):
//     the Cyber Threat Intelligence Program, either Interflow records (a
//     JSON list of version 1.5 records, raw written as IntelMQ re-serializes
//     each record) or Azure records (JSON lines, raw the line). Every event
//     is an infected system; feed.accuracy is scaled by the record's
//     confidence. With overwrite=false the Azure values do not replace fields
//     the report set (feed.name, say).
//   - "microsoft_bingmurls" (IntelMQ's
//     intelmq.bots.parsers.microsoft.parser_bingmurls): the malicious URLs
//     Bing has seen, a JSON list of version 1.5 records; one tag is the
//     country code.
//
// Records IntelMQ would refuse (an unknown key, an unknown threat type, a
// record of the other format) go to fail and the others go on. Unlike
// IntelMQ, an Azure line that is no JSON fails alone instead of ending
// the report.
package microsoft
