package schemas

import "fmt"

// SubjectStrategy decides the registry subject a record's schema is
// registered under, as Confluent's serializers do.
type SubjectStrategy int

// The subject naming strategies.
const (
	// TopicName uses "<topic>-value": one schema lineage per topic (the
	// default of Confluent's serializers and of intelstream).
	TopicName SubjectStrategy = iota
	// RecordName uses the record's full name ("intelstream.dho.Event"):
	// one lineage for every topic that carries the record.
	RecordName
	// TopicRecordName uses "<topic>-<full name>".
	TopicRecordName
)

// ParseSubjectStrategy accepts topic, record or topic-record (and the
// Confluent class names' short forms TopicNameStrategy ...).
func ParseSubjectStrategy(s string) (SubjectStrategy, error) {
	switch s {
	case "topic", "TopicNameStrategy", "":
		return TopicName, nil
	case "record", "RecordNameStrategy":
		return RecordName, nil
	case "topic-record", "TopicRecordNameStrategy":
		return TopicRecordName, nil
	}
	return 0, fmt.Errorf("subject strategy %q: want topic, record or topic-record", s)
}

func (s SubjectStrategy) String() string {
	switch s {
	case RecordName:
		return "record"
	case TopicRecordName:
		return "topic-record"
	}
	return "topic"
}

// Subject returns the subject of record r's value schema on topic.
func (s SubjectStrategy) Subject(topic string, r Record) (string, error) {
	switch s {
	case RecordName:
		return r.FullName(), nil
	case TopicRecordName:
		if topic == "" {
			return "", fmt.Errorf("the topic-record subject strategy needs a topic")
		}
		return topic + "-" + r.FullName(), nil
	}
	if topic == "" {
		return "", fmt.Errorf("the topic subject strategy needs a topic")
	}
	return topic + "-value", nil
}
