package journal

// Kinds of 3.x fuzzy watch (NamingFuzzyWatchRequest, ConfigFuzzyWatchRequest
// and the server's pushes for them).
const (
	NamingFuzzyWatch Kind = "naming-fuzzy-watch" // NamingFuzzyWatchRequest (WATCH or CANCEL_WATCH)
	ConfigFuzzyWatch Kind = "config-fuzzy-watch" // ConfigFuzzyWatchRequest
	// FuzzyPush is a fuzzy watch push: a ...FuzzyWatchSyncRequest (the
	// keys a pattern matches, against what the client said it holds) or a
	// ...FuzzyWatchChangeNotifyRequest (one key added, changed or gone).
	FuzzyPush Kind = "fuzzy-push"
)
