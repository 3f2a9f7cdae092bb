package io.mocknacos.sample;

import java.util.Collections;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** GET /config: {"greeting": sample.greeting or "unset"}, as it is now. */
@RestController
public class ConfigController {

    private final Greeting greeting;

    public ConfigController(Greeting greeting) {
        this.greeting = greeting;
    }

    @GetMapping("/config")
    public Map<String, String> config() {
        return Collections.singletonMap("greeting", greeting.get());
    }
}
