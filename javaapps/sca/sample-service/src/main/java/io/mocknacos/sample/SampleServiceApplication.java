package io.mocknacos.sample;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.client.discovery.EnableDiscoveryClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * sample-service: registers itself in Nacos through Spring Cloud Alibaba
 * discovery and answers GET /hello. Same source for Spring Boot 2 and 3.
 */
@SpringBootApplication
@EnableDiscoveryClient
@RestController
public class SampleServiceApplication {

    @Value("${spring.application.name}")
    private String name;

    @Value("${server.port}")
    private int port;

    @Value("${mocknacos.sca-version}")
    private String scaVersion;

    @GetMapping("/hello")
    public Map<String, Object> hello() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", name);
        out.put("port", port);
        out.put("scaVersion", scaVersion);
        out.put("message", "hello");
        return out;
    }

    public static void main(String[] args) {
        SpringApplication.run(SampleServiceApplication.class, args);
    }
}
