package config

import "strings"

// exactMark starts a stored tenant that Exact kept apart from the default
// namespace. No client can send it: a NUL fails the tenant checks.
const exactMark = "\x00"

// Exact is a tenant as a real 2.4.3 keeps it where it does not normalise:
// its gRPC config handlers and its HTTP publish, delete and listener (only
// the HTTP GET maps "public" to ""). There only "" is the default namespace;
// "public", "null" (any case) and blank spellings are namespaces of their
// own. Seen on a real 2.4.3: a config published over HTTP without tenant is
// not found by a gRPC query with tenant "public", and the reverse; see
// grpcv2's TestConfigTenantVerbatim24.
func Exact(tenant string) string {
	if tenant == "" || NormalizeTenant(tenant) != DefaultTenant {
		return tenant
	}
	return exactMark + tenant
}

// Spelling is the tenant as the client sent it (Exact undone).
func Spelling(tenant string) string { return strings.TrimPrefix(tenant, exactMark) }

// Namespace is the namespace a journal event names: the default is
// "public" however it was kept.
func Namespace(tenant string) string { return NormalizeTenant(Spelling(tenant)) }
