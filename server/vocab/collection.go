package vocab

// collectionContext is ActivityStreams alone: collections use no other
// term.
func collectionContext() []any { return []any{asNamespace} }

type orderedCollectionJSON struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	TotalItems int    `json:"totalItems"`
	First      string `json:"first,omitempty"`
}

type orderedPageJSON struct {
	Type         string `json:"type"`
	ID           string `json:"id"`
	PartOf       string `json:"partOf"`
	TotalItems   int    `json:"totalItems"`
	OrderedItems []any  `json:"orderedItems"`
	Next         string `json:"next,omitempty"`
}

// OrderedCollection describes a listing (followers, following, outbox)
// by its size and its first page; the pages are fetched on their own.
func OrderedCollection(id string, total int, first string) Object {
	return Object{id: id, context: collectionContext,
		body: orderedCollectionJSON{Type: TypeOrderedCollection, ID: id, TotalItems: total, First: first}}
}

// OrderedCollectionPage is one page of a listing: items are ids (strings)
// or Objects, which are embedded without their context; next is empty on
// the last page.
func OrderedCollectionPage(id, partOf string, total int, items []any, next string) Object {
	out := make([]any, len(items))
	for i, item := range items {
		if o, ok := item.(Object); ok {
			item = o.body
		}
		out[i] = item
	}
	return Object{id: id, context: collectionContext,
		body: orderedPageJSON{Type: TypeOrderedCollectionPage, ID: id, PartOf: partOf, TotalItems: total, OrderedItems: out, Next: next}}
}
