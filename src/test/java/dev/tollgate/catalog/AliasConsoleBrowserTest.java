package dev.tollgate.catalog;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.Browser;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.Select;

/** An admin retires an alias for one tenant in a real browser, after a form error on a new alias. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class AliasConsoleBrowserTest {

    @TestHTTPResource("/")
    URL base;

    WebDriver browser;

    @BeforeEach
    void open() {
        browser = Browser.start();
    }

    @AfterEach
    void close() {
        browser.quit();
        AliasFixtures.deleteTestAliases();
    }

    @Test
    void adminReviewsAliasesAndRetiresOneForATenant() {
        String slug = createTenant(uniqueSlug("legacy"));
        Browser.logIn(browser, base.toString(), ADMIN, ADMIN_PASSWORD);

        browser.findElement(By.linkText("Model aliases")).click();
        Browser.awaitPage(browser, "Model aliases");
        assertTrue(browser.getPageSource().contains("Past sunset, still served"));
        Browser.screenshot(browser, "alias-01-list");

        browser.findElement(By.linkText("New alias")).click();
        Browser.awaitPage(browser, "New alias");
        browser.findElement(By.id("f-alias")).sendKeys("deepseek-v4-pro");
        browser.findElement(By.id("f-impliedParams")).clear();
        browser.findElement(By.id("f-impliedParams")).sendKeys("{\"model\": \"deepseek-v4-pro\"}");
        Browser.submit(browser, By.cssSelector("button.primary"));
        assertTrue(browser.findElement(By.id("e-alias")).getText().contains("catalog model"));
        assertTrue(browser.findElement(By.id("e-impliedParams")).getText().startsWith("must not set model"));
        assertTrue(browser.findElement(By.id("e-sunsetAt")).getText().contains("is required"));
        Browser.screenshot(browser, "alias-02-form-inline-errors");

        String name = AliasFixtures.uniqueAlias("browser");
        browser.findElement(By.id("f-alias")).clear();
        browser.findElement(By.id("f-alias")).sendKeys(name);
        browser.findElement(By.id("f-impliedParams")).clear();
        browser.findElement(By.id("f-impliedParams")).sendKeys("{\"thinking\": {\"type\": \"disabled\"}}");
        // Typing into a datetime-local field depends on the browser's locale; set it as the picker would.
        pick("f-sunsetAt", "2026-07-24T15:59");
        Browser.submit(browser, By.cssSelector("button.primary"));
        // The deprecation date defaults to now, after that sunset.
        assertTrue(browser.findElement(By.id("e-sunsetAt")).getText()
                .contains("give the deprecation date (deprecatedAt) too"));
        pick("f-deprecatedAt", "2026-04-24T00:00");
        browser.findElement(By.cssSelector("button.primary")).click();
        Browser.awaitPage(browser, "Model aliases");
        assertTrue(browser.findElement(By.cssSelector(".flash")).getText().contains("created"));
        asAdmin().get("/api/admin/aliases/" + name).then().statusCode(200)
                .body("sunsetAt", equalTo("2026-07-24T15:59:00Z"));

        go("/console/tenants/" + slug);
        Browser.awaitPage(browser, "Tenant " + slug);
        new Select(browser.findElement(By.cssSelector("select[aria-label='Mode of deepseek-chat for this tenant']")))
                .selectByValue("reject-after-sunset");
        browser.findElement(By.xpath("//form[contains(@action,'/alias-overrides/deepseek-chat')]//button")).click();
        // past its sunset that retires it for this tenant at once: the console asks first
        Browser.awaitPage(browser, "Retire deepseek-chat for " + slug + "?");
        assertTrue(browser.findElement(By.id("retire-warning")).getText().contains("0 calls naming it"));
        Browser.screenshot(browser, "alias-03a-retire-for-tenant");
        Browser.submit(browser, By.cssSelector("button.primary"));
        assertTrue(browser.findElement(By.cssSelector(".flash")).getText()
                .contains("deepseek-chat is now reject-after-sunset for this tenant"));
        assertEquals("Retired: 410", browser.findElement(By.xpath(
                "//tr[td/code[text()='deepseek-chat']]//span[contains(@class,'badge')]")).getText());
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()",
                browser.findElement(By.xpath("//h2[text()='Model aliases']")));
        Browser.screenshot(browser, "alias-03-tenant-override");

        // the audit log shows the change itself, one click from the object's whole history
        go("/console/audit?action=alias");
        Browser.awaitPage(browser, "Audit log");
        browser.findElement(By.linkText("model_alias " + name)).click();
        Browser.awaitPage(browser, "Audit log");
        assertEquals(1, browser.findElements(By.cssSelector("table.audit tbody tr")).size(), "that alias' history");
        assertEquals("Created: full record", browser.findElement(By.cssSelector("table.audit summary")).getText());
        Browser.screenshot(browser, "alias-04-audit");
    }

    private void pick(String id, String value) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1]",
                browser.findElement(By.id(id)), value);
    }

    private void go(String path) {
        browser.get(base.toString().replaceAll("/$", "") + path);
    }
}
