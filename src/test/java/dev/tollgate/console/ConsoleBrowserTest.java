package dev.tollgate.console;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.Browser;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.net.URL;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** An admin's first minutes in a real browser: log in, create a tenant, issue a key, use it, revoke it. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class ConsoleBrowserTest {

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
    }

    @Test
    void adminCreatesATenantIssuesAKeyAndRevokesIt() {
        String taken = createTenant(uniqueSlug("taken"));
        go("/console");
        assertTrue(browser.getCurrentUrl().endsWith("/login"), "unauthenticated users land on the login page");
        Browser.screenshot(browser, "01-login");
        browser.findElement(By.id("j_username")).sendKeys(ADMIN);
        browser.findElement(By.id("j_password")).sendKeys(ADMIN_PASSWORD);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        Browser.awaitPage(browser, "Tenants");
        assertTrue(browser.findElement(By.cssSelector(".banner")).getText().contains("Simulated upstream"),
                "the test suite runs on the built-in simulator, and the console says so");
        Browser.screenshot(browser, "02-tenants");

        browser.findElement(By.linkText("New tenant")).click();
        Browser.awaitPage(browser, "New tenant");
        browser.findElement(By.id("f-slug")).sendKeys(taken);
        browser.findElement(By.id("f-displayName")).sendKeys("Acme Analytics");
        browser.findElement(By.id("f-billingEmail")).sendKeys("ap@acme.test");
        Browser.submit(browser, By.cssSelector("button.primary"));
        assertEquals("is already taken", browser.findElement(By.id("e-slug")).getText());
        assertEquals("Acme Analytics", browser.findElement(By.id("f-displayName")).getAttribute("value"));
        Browser.screenshot(browser, "03-tenant-form-inline-error");

        String slug = uniqueSlug("acme");
        browser.findElement(By.id("f-slug")).clear();
        browser.findElement(By.id("f-slug")).sendKeys(slug);
        browser.findElement(By.cssSelector("button.primary")).click();
        Browser.awaitPage(browser, "Acme Analytics");
        assertTrue(browser.findElement(By.cssSelector(".flash")).getText().contains("created"));
        assertTrue(browser.findElement(By.tagName("h1")).getText().startsWith("Acme Analytics"));

        browser.findElement(By.linkText("Issue key")).click();
        Browser.awaitPage(browser, "Issue key");
        browser.findElement(By.id("f-name")).sendKeys("checkout service");
        browser.findElement(By.cssSelector("input[name=allowedModels][value=deepseek-v4-flash]")).click();
        // a double click on "Issue key" sends the form once (counted here, not sent, so that no timing decides)
        Object sent = script("var f = document.querySelector('form.form'), sent = 0;"
                + " var count = function (e) { if (!e.defaultPrevented) { sent++; } e.preventDefault(); };"
                + " window.addEventListener('submit', count); f.requestSubmit(); f.requestSubmit();"
                + " window.removeEventListener('submit', count); delete f.dataset.sent; return sent;");
        assertEquals(1L, sent, "the second click sends nothing");
        browser.findElement(By.cssSelector("button.primary")).click();
        Browser.awaitPage(browser, "Key issued");
        String key = browser.findElement(By.id("new-key")).getAttribute("value");
        assertTrue(key.startsWith("tg-"), "the full key is shown once");
        asAdmin().get("/api/admin/tenants/" + slug + "/keys").then().statusCode(200).body("size()", equalTo(1));
        // a clipboard that refuses the text: the button must not claim it was copied
        script("navigator.clipboard.writeText = function () { return Promise.reject(new Error('denied')); };");
        WebElement copy = browser.findElement(By.xpath("//button[text()='Copy']"));
        copy.click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !copy.getText().equals("Copy"));
        assertEquals("Press Ctrl+C to copy", copy.getText());
        assertEquals(key, script("return window.getSelection().toString() || document.activeElement.value;"),
                "the key is selected for copying by hand");
        Browser.screenshot(browser, "04-key-issued");
        given().header("Authorization", "Bearer " + key).get("/v1/models").then().statusCode(200);

        browser.findElement(By.linkText("Back to Acme Analytics")).click();
        Browser.awaitPage(browser, "Acme Analytics");
        assertFalse(browser.getPageSource().contains(key.substring(20)), "the secret never appears again");
        assertTrue(browser.getPageSource().contains(key.substring(0, 19) + "-…"));
        Browser.screenshot(browser, "05-tenant-detail");
        // on a phone a key's Revoke is on the screen, not at the end of a table scrolled sideways
        Dimension wide = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(390, 844));
        WebElement revoke = browser.findElement(By.xpath("//button[text()='Revoke']"));
        long phone = (Long) script("return document.documentElement.clientWidth");
        assertTrue(revoke.getRect().getX() + revoke.getRect().getWidth() <= phone,
                "Revoke ends at " + (revoke.getRect().getX() + revoke.getRect().getWidth()) + " of " + phone + " px");
        Browser.screenshot(browser, "05-tenant-detail-phone");
        browser.manage().window().setSize(wide);

        // revoking asks first; saying no leaves the key working
        browser.findElement(By.xpath("//button[text()='Revoke']")).click();
        Alert confirm = new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.alertIsPresent());
        assertTrue(confirm.getText().startsWith("Revoke key " + key.substring(0, 19) + "-… ("), confirm.getText());
        confirm.dismiss();
        assertEquals("Active", browser.findElement(By.cssSelector("table.list .badge")).getText());
        given().header("Authorization", "Bearer " + key).get("/v1/models").then().statusCode(200);
        browser.findElement(By.xpath("//button[text()='Revoke']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.alertIsPresent()).accept();
        browser.findElement(By.cssSelector(".flash"));
        assertTrue(browser.findElement(By.cssSelector(".flash")).getText().contains("revoked"));
        assertEquals("Revoked", browser.findElement(By.cssSelector("table.list .badge")).getText());
        given().header("Authorization", "Bearer " + key).get("/v1/models").then().statusCode(401);
        Browser.screenshot(browser, "06-key-revoked");

        browser.findElement(By.linkText("Audit log")).click();
        Browser.awaitPage(browser, "Audit log");
        assertTrue(browser.getPageSource().contains("key.revoke"));
        Browser.screenshot(browser, "07-audit-log");
        // on a phone each change is a card the screen's width, not a seventh of a table scrolled sideways
        Dimension desktop = wide;
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.navigate().refresh();
        Browser.awaitPage(browser, "Audit log");
        long page = (Long) script("return document.documentElement.scrollWidth");
        long screen = (Long) script("return document.documentElement.clientWidth");
        assertTrue(page <= screen, "the page is " + page + " px wide on a " + screen + " px screen");
        int changes = browser.findElement(By.cssSelector("table.audit tbody td:last-child")).getRect().getWidth();
        assertTrue(changes > screen * 0.8, "the changes are " + changes + " px wide on a " + screen + " px screen");
        assertFalse(browser.findElement(By.cssSelector("table.audit thead")).isDisplayed(), "no header row");
        Object label = script("return getComputedStyle(document.querySelector('table.audit td[data-label]'),"
                + " '::before').content");
        assertNotEquals("none", label, "each value says what it is instead");
        Browser.screenshot(browser, "07-audit-log-phone");
        // the upstreams, a card each: checking now shows what the account has left
        go("/console/upstreams");
        Browser.awaitPage(browser, "Upstreams");
        // asking every endpoint can take seconds: the button says it is at work meanwhile (seen here with the
        // form held back, since the simulator answers before a look at the page could catch it)
        script("document.querySelector('form[action$=\"/balance-check\"]').addEventListener('submit',"
                + " function (e) { e.preventDefault(); }, {once: true})");
        WebElement check = browser.findElement(By.xpath("//button[text()='Check balances now']"));
        check.click();
        assertEquals("Checking balances…", check.getText());
        browser.navigate().refresh();
        Browser.awaitPage(browser, "Upstreams");
        browser.findElement(By.xpath("//button[text()='Check balances now']")).click();
        assertEquals("Balances checked.", browser.findElement(By.cssSelector(".flash")).getText());
        String simulator = browser.findElement(By.id("upstream-simulator")).getText();
        assertTrue(simulator.contains("110.00 CNY"), simulator);
        page = (Long) script("return document.documentElement.scrollWidth");
        assertTrue(page <= screen, "the page is " + page + " px wide on a " + screen + " px screen");
        Browser.screenshot(browser, "08-upstreams-phone");
        browser.manage().window().setSize(desktop);
        browser.navigate().refresh();
        Browser.awaitPage(browser, "Upstreams");
        Browser.screenshot(browser, "08-upstreams");

        // the browser's cookies, replayed from elsewhere: they sign in until the logout ends the session on the server
        Set<Cookie> copied = browser.manage().getCookies();
        replay(copied).get("/console/tenants").then().statusCode(200);
        browser.findElement(By.xpath("//button[text()='Log out']")).click();
        Browser.awaitPage(browser, "Log in");
        go("/console/tenants");
        assertTrue(browser.getCurrentUrl().endsWith("/login"), "logged out");
        replay(copied).get("/console/tenants").then().statusCode(302).header("Location", containsString("/login"));
    }

    private static RequestSpecification replay(Set<Cookie> cookies) {
        RequestSpecification replay = given().redirects().follow(false);
        cookies.forEach(c -> replay.cookie(c.getName(), c.getValue()));
        return replay;
    }

    private Object script(String js) {
        return ((JavascriptExecutor) browser).executeScript(js);
    }

    private void go(String path) {
        browser.get(base.toString().replaceAll("/$", "") + path);
    }
}
