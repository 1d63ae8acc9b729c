package dho

import "github.com/google/uuid"

// NewID returns a new event id: a version 7 UUID, so that ids sort by the
// time they were given, which keeps deduplicating outputs' indexes compact.
func NewID() string {
	id, err := uuid.NewV7()
	if err != nil {
		// NewV7 fails only when the system's random source fails; a
		// random (v4) id is still unique.
		return uuid.NewString()
	}
	return id.String()
}

// EnsureID gives e a new id if it has none and returns its id.
func (e *Event) EnsureID() string {
	if e.ID == "" {
		e.ID = NewID()
	}
	return e.ID
}
