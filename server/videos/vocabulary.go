package videos

// Categories and Licences are PeerTube's vocabularies, by id; a video's
// category or licence is one of these ids, or 0 for none.
var (
	Categories = map[int]string{
		1: "Music", 2: "Films", 3: "Vehicles", 4: "Art", 5: "Sports", 6: "Travels", 7: "Gaming",
		8: "People", 9: "Comedy", 10: "Entertainment", 11: "News & Politics", 12: "How To",
		13: "Education", 14: "Activism", 15: "Science & Technology", 16: "Animals", 17: "Kids", 18: "Food",
	}
	Licences = map[int]string{
		1: "Attribution", 2: "Attribution - Share Alike", 3: "Attribution - No Derivatives",
		4: "Attribution - Non Commercial", 5: "Attribution - Non Commercial - Share Alike",
		6: "Attribution - Non Commercial - No Derivatives", 7: "Public Domain Dedication",
	}
)
