package io.mocknacos.sample;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.stereotype.Component;

/**
 * The property sample.greeting, from Nacos config when it is on
 * (NACOS_CONFIG_ENABLED=true). In the refresh scope: a config change that
 * nacos-config receives refreshes the environment and this bean is created
 * anew, so a removed property reads "unset" again.
 */
@Component
@RefreshScope
public class Greeting {

    @Value("${sample.greeting:unset}")
    private String value;

    public String get() {
        return value;
    }
}
