package io.mocknacos.junitexample.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The app under test: a plain Spring Boot web app with Spring Cloud Alibaba
 * Nacos discovery on the classpath, which registers it on startup and
 * deregisters it on shutdown.
 */
@SpringBootApplication
@RestController
public class OrdersApp {

    @GetMapping("/hello")
    public String hello() {
        return "hello from orders";
    }
}
