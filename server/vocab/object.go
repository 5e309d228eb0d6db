package vocab

import (
	"encoding/json"
	"fmt"
)

// Object is a document we built: a Video, a Note, an activity or a
// collection. Marshalled alone it carries its @context, as a document we
// serve or deliver; embedded in an activity it does not, the activity's
// context covering it.
type Object struct {
	id, actor string
	to, cc    []string
	context   func() []any
	body      any
}

// ID is the object's id.
func (o Object) ID() string { return o.id }

// MarshalJSON writes the object with its @context first.
func (o Object) MarshalJSON() ([]byte, error) {
	body, err := json.Marshal(o.body)
	if err != nil {
		return nil, fmt.Errorf("vocab: marshal %s: %w", o.id, err)
	}
	ctx, err := json.Marshal(o.context())
	if err != nil {
		return nil, fmt.Errorf("vocab: marshal context: %w", err)
	}
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("vocab: %s is not a JSON object", o.id)
	}
	out := make([]byte, 0, len(ctx)+len(body)+16)
	out = append(out, `{"@context":`...)
	out = append(out, ctx...)
	if len(body) > 2 {
		out = append(out, ',')
	}
	return append(out, body[1:]...), nil
}
