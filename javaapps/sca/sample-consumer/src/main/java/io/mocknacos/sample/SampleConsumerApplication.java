package io.mocknacos.sample;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.EnableDiscoveryClient;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * sample-consumer: discovers a service (default sample-service) through the
 * Spring Cloud DiscoveryClient and reports what it sees as JSON.
 *
 *   GET /instances[?service=NAME]  what DiscoveryClient.getInstances returns
 *   GET /services                  DiscoveryClient.getServices()
 *   GET /call[?service=NAME&path=/hello]  GET path on the first instance
 */
@SpringBootApplication
@EnableDiscoveryClient
@RestController
public class SampleConsumerApplication {

    private final DiscoveryClient discovery;

    @Value("${mocknacos.sca-version}")
    private String scaVersion;

    @Value("${mocknacos.target-service:sample-service}")
    private String defaultService;

    public SampleConsumerApplication(DiscoveryClient discovery) {
        this.discovery = discovery;
    }

    @GetMapping("/instances")
    public Map<String, Object> instances(@RequestParam(value = "service", required = false) String service) {
        String svc = service == null || service.isEmpty() ? defaultService : service;
        List<Map<String, Object>> list = new ArrayList<>();
        for (ServiceInstance si : discovery.getInstances(svc)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("serviceId", si.getServiceId());
            m.put("instanceId", si.getInstanceId());
            m.put("host", si.getHost());
            m.put("port", si.getPort());
            m.put("secure", si.isSecure());
            m.put("uri", String.valueOf(si.getUri()));
            m.put("scheme", si.getScheme());
            m.put("metadata", new TreeMap<>(si.getMetadata()));
            list.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", svc);
        out.put("scaVersion", scaVersion);
        out.put("count", list.size());
        out.put("instances", list);
        return out;
    }

    @GetMapping("/services")
    public Map<String, Object> services() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scaVersion", scaVersion);
        out.put("services", discovery.getServices());
        return out;
    }

    @GetMapping("/call")
    public ResponseEntity<String> call(@RequestParam(value = "service", required = false) String service,
                                       @RequestParam(value = "path", defaultValue = "/hello") String path) throws Exception {
        String svc = service == null || service.isEmpty() ? defaultService : service;
        List<ServiceInstance> list = discovery.getInstances(svc);
        if (list.isEmpty()) {
            return ResponseEntity.status(503).body("{\"error\":\"no instance of " + svc + "\"}");
        }
        ServiceInstance si = list.get(0);
        URL url = new URL("http://" + si.getHost() + ":" + si.getPort() + path);
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        int code = c.getResponseCode();
        InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        if (in != null) {
            byte[] b = new byte[4096];
            for (int n; (n = in.read(b)) > 0; ) {
                buf.write(b, 0, n);
            }
            in.close();
        }
        return ResponseEntity.status(code).body(new String(buf.toByteArray(), StandardCharsets.UTF_8));
    }

    public static void main(String[] args) {
        SpringApplication.run(SampleConsumerApplication.class, args);
    }
}
