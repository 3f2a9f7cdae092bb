//go:build compat

package compat

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Generation is one row group of the matrix: an image holding the two
// sample apps (sample-service and sample-consumer) of one client generation.
// An image follows the contract of javaapps/sca/run-app.sh: its first
// argument names the app, later ones are Spring arguments; it reads
// SERVER_PORT, NACOS_SERVER_ADDR, NACOS_USERNAME, NACOS_PASSWORD, APP_NAME
// (spring.application.name), TARGET_SERVICE (the consumer's target) and
// NACOS_CONFIG_ENABLED; sample-consumer answers GET /instances as
// {"count": N, "instances": [...]}, and with config enabled the app answers
// GET /config as {"greeting": ...}. README.md says how to add a row.
type Generation struct {
	Name   string // the row label, e.g. the Spring Cloud Alibaba version
	Client string // nacos-client version, for the report
	GRPC   bool   // registers over 2.x gRPC, so it needs a 2.x server
	// ImageEnv names the variable (in the environment or in images.env)
	// holding the image reference; Image is the fallback reference.
	ImageEnv string
	Image    string
}

// Generations are the rows built by scripts/build-images.sh, oldest first.
// The cross-generation scenarios pair the first HTTP generation with the
// last gRPC generation of this list.
var Generations = []Generation{
	{Name: "2.2.6.RELEASE", Client: "1.4.2", GRPC: false, ImageEnv: "MOCKNACOS_IMAGE_SCA_2_2_6_RELEASE", Image: "mocknacos/sca-apps:2.2.6.RELEASE"},
	{Name: "2021.0.5.0", Client: "2.2.0", GRPC: true, ImageEnv: "MOCKNACOS_IMAGE_SCA_2021_0_5_0", Image: "mocknacos/sca-apps:2021.0.5.0"},
	{Name: "2022.0.0.0", Client: "2.2.1", GRPC: true, ImageEnv: "MOCKNACOS_IMAGE_SCA_2022_0_0_0", Image: "mocknacos/sca-apps:2022.0.0.0"},
	{Name: "2023.0.3.4", Client: "2.4.3", GRPC: true, ImageEnv: "MOCKNACOS_IMAGE_SCA_2023_0_3_4", Image: "mocknacos/sca-apps:2023.0.3.4"},
}

// Generations3x are the Spring Cloud Alibaba 2025 rows (nacos-client 3.x):
// run only when COMPAT_GENERATIONS names them (their images are built only
// when SCA_GENERATIONS names them), so the default matrix and its
// cross-generation pairing stay as they are.
var Generations3x = []Generation{
	{Name: "2025.0.0.0", Client: "3.0.3", GRPC: true, ImageEnv: "MOCKNACOS_IMAGE_SCA_2025_0_0_0", Image: "mocknacos/sca-apps:2025.0.0.0"},
	{Name: "2025.1.0.0", Client: "3.1.1", GRPC: true, ImageEnv: "MOCKNACOS_IMAGE_SCA_2025_1_0_0", Image: "mocknacos/sca-apps:2025.1.0.0"},
}

// extraGenerations parses COMPAT_APPS: whitespace-separated rows of
// "name,image,grpc" or "name,image,http" (the protocol its client registers
// with), appended after Generations.
func extraGenerations(spec string) ([]Generation, error) {
	var out []Generation
	for _, row := range strings.Fields(spec) {
		f := strings.Split(row, ",")
		if len(f) != 3 || f[0] == "" || f[1] == "" || (f[2] != "grpc" && f[2] != "http") {
			return nil, fmt.Errorf("COMPAT_APPS row %q: want name,image,grpc|http", row)
		}
		out = append(out, Generation{Name: f[0], Client: "(user image)", GRPC: f[2] == "grpc", Image: f[1]})
	}
	return out, nil
}

// selectGenerations is Generations plus COMPAT_APPS, restricted to the
// names listed in COMPAT_GENERATIONS (comma or space separated) when set;
// "none" runs no generation (the Python and Node clients' rows only).
func selectGenerations() ([]Generation, error) {
	extra, err := extraGenerations(os.Getenv("COMPAT_APPS"))
	if err != nil {
		return nil, err
	}
	all := append(append([]Generation(nil), Generations...), extra...)
	want := strings.FieldsFunc(os.Getenv("COMPAT_GENERATIONS"), func(r rune) bool { return r == ',' || r == ' ' })
	if len(want) == 0 {
		return all, nil
	}
	if len(want) == 1 && want[0] == "none" {
		return nil, nil
	}
	var out []Generation
	named := append(all, Generations3x...)
	for _, w := range want {
		found := false
		for _, g := range named {
			if g.Name == w {
				out = append(out, g)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("COMPAT_GENERATIONS: no generation %q", w)
		}
	}
	return out, nil
}

// imageRef is the image of g: $ImageEnv from the environment, else from
// images.env (written by scripts/build-images.sh), else g.Image.
func imageRef(g Generation, imagesEnv map[string]string) string {
	if g.ImageEnv != "" {
		if v := os.Getenv(g.ImageEnv); v != "" {
			return v
		}
		if v := imagesEnv[g.ImageEnv]; v != "" {
			return v
		}
	}
	return g.Image
}

// readImagesEnv reads $MOCKNACOS_IMAGES_ENV, or images.env in the cache
// directory of scripts/lib/images.sh; a missing file is an empty map.
func readImagesEnv() map[string]string {
	path := os.Getenv("MOCKNACOS_IMAGES_ENV")
	if path == "" {
		dir := os.Getenv("MOCKNACOS_CACHE")
		if dir == "" {
			if c, err := os.UserCacheDir(); err == nil {
				dir = filepath.Join(c, "mocknacos")
			}
		}
		path = filepath.Join(dir, "images.env")
	}
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// slug makes a generation name usable in a service name.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}
