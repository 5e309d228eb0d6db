package vocab

// The JSON-LD contexts we send. They are built by functions, not kept in
// package variables, so that no caller can change what another sends.
// PeerTube reads the terms below by name, not by expanding the context, but
// Mastodon and other JSON-LD processors expand them: every term we send
// outside ActivityStreams is defined here.

// baseContext is ActivityStreams, the security vocabulary of keys, and the
// type of PeerTube's linked-data signatures.
func baseContext() []any {
	return []any{
		asNamespace,
		"https://w3id.org/security/v1",
		map[string]any{"RsaSignature2017": "https://w3id.org/security#RsaSignature2017"},
	}
}

func typed(id, typ string) map[string]string { return map[string]string{"@id": id, "@type": typ} }

// ActorContext is the context of actor documents: PeerTube's actor terms,
// and Lemmy's and Mastodon's that Groups and Persons use.
func ActorContext() []any {
	return append(baseContext(), map[string]any{
		"pt":                      "https://joinpeertube.org/ns#",
		"sc":                      "http://schema.org/",
		"playerSettings":          "pt:playerSettings",
		"playlists":               typed("pt:playlists", "@id"),
		"support":                 typed("pt:support", "sc:Text"),
		"lemmy":                   "https://join-lemmy.org/ns#",
		"postingRestrictedToMods": "lemmy:postingRestrictedToMods",
		"toot":                    "http://joinmastodon.org/ns#",
		"indexable":               "toot:indexable",
		"discoverable":            "toot:discoverable",
		"email":                   "sc:email",
	})
}

// VideoContext is the context of a Video and of the activities that carry
// one: every PeerTube term a Video uses, with the types PeerTube gives them.
func VideoContext() []any {
	return append(baseContext(), map[string]any{
		"pt":                     "https://joinpeertube.org/ns#",
		"sc":                     "http://schema.org/",
		"Hashtag":                "as:Hashtag",
		"category":               "sc:category",
		"licence":                "sc:license",
		"subtitleLanguage":       "sc:subtitleLanguage",
		"automaticallyGenerated": "pt:automaticallyGenerated",
		"sensitive":              "as:sensitive",
		"language":               "sc:inLanguage",
		"identifier":             "sc:identifier",
		"isLiveBroadcast":        "sc:isLiveBroadcast",
		"Infohash":               "pt:Infohash",
		"SensitiveTag":           "pt:SensitiveTag",
		"uuid":                   typed("pt:uuid", "sc:identifier"),
		"originallyPublishedAt":  "sc:datePublished",
		"uploadDate":             "sc:uploadDate",
		"hasParts":               "sc:hasParts",
		"views":                  typed("pt:views", "sc:Number"),
		"state":                  typed("pt:state", "sc:Number"),
		"size":                   typed("pt:size", "sc:Number"),
		"fps":                    typed("pt:fps", "sc:Number"),
		"canReply":               "pt:canReply",
		"commentsPolicy":         typed("pt:commentsPolicy", "sc:Number"),
		"commentsEnabled":        typed("pt:commentsEnabled", "sc:Boolean"),
		"downloadEnabled":        typed("pt:downloadEnabled", "sc:Boolean"),
		"waitTranscoding":        typed("pt:waitTranscoding", "sc:Boolean"),
		"support":                typed("pt:support", "sc:Text"),
		"likes":                  typed("as:likes", "@id"),
		"dislikes":               typed("as:dislikes", "@id"),
		"shares":                 typed("as:shares", "@id"),
		"comments":               typed("as:comments", "@id"),
		"PropertyValue":          "sc:PropertyValue",
		"value":                  "sc:value",
	})
}

// NoteContext is the context of comments and of the activities that carry
// no Video (Follow, Like, View...): the base one, with the terms Notes use.
func NoteContext() []any {
	return append(baseContext(), map[string]any{
		"pt":        "https://joinpeertube.org/ns#",
		"sensitive": "as:sensitive",
		"Hashtag":   "as:Hashtag",
		"canReply":  "pt:canReply",
	})
}
