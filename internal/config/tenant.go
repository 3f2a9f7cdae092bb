package config

// Exact is a tenant as a real 2.4.3 keeps it where it does not normalise:
// its gRPC config handlers and its HTTP publish, delete and listener (only
// the HTTP GET maps "public" to ""; 1.4.8's HTTP API does the same). There
// only "" is the default namespace; "public", "null" (any case) and blank
// spellings are namespaces of their own. Seen on a real 2.4.3: a config
// published over HTTP without tenant is not found by a gRPC query with
// tenant "public", and the reverse; see grpcv2's TestConfigTenantVerbatim24.
// Such a tenant is kept in double quotes (`"public"`), which no client can
// send past the tenant checks (letters, digits and _-.:; one that is
// quoted already is quoted again), so that it stays apart from the default
// and reads as what it is in Items.
func Exact(tenant string) string {
	if tenant == "" || NormalizeTenant(tenant) != DefaultTenant && !exact(tenant) {
		return tenant
	}
	return `"` + tenant + `"`
}

// exact reports whether t was kept apart by Exact.
func exact(t string) bool { return len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' }

// Spelling is the tenant as the client sent it (Exact undone).
func Spelling(tenant string) string {
	if exact(tenant) {
		return tenant[1 : len(tenant)-1]
	}
	return tenant
}

// Namespace is the namespace a journal event names: the default is
// "public" however it was kept.
func Namespace(tenant string) string { return NormalizeTenant(Spelling(tenant)) }
