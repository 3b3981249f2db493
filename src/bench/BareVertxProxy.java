import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The floor a JVM proxy pays, for the gateway benchmark: a bare Vert.x pass-through (same Vert.x, Netty
 * and epoll transport as Tollgate, one server and one upstream connection pool per event loop, as Tollgate
 * has) that forwards each request's body and key and returns the upstream's answer, doing nothing else.
 * Run with Tollgate's own libraries, from the repository root:
 * {@code java -cp 'target/quarkus-app/lib/main/*' src/bench/BareVertxProxy.java <port> <upstream-port>}
 */
public class BareVertxProxy extends AbstractVerticle {

    static int port;
    static int upstreamPort;

    public static void main(String[] args) {
        port = Integer.parseInt(args[0]);
        upstreamPort = Integer.parseInt(args[1]);
        int loops = Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
        vertx.deployVerticle(BareVertxProxy::new, new DeploymentOptions().setInstances(loops))
                .onSuccess(id -> System.out.println("bare Vert.x proxy on :" + port + " (native transport: "
                        + vertx.isNativeTransportEnabled() + ", " + loops + " event loops)"))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public void start() {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(1000));
        vertx.createHttpServer().requestHandler(in -> in.body().onSuccess(body -> client
                .request(new RequestOptions().setMethod(in.method()).setHost("127.0.0.1").setPort(upstreamPort)
                        .setURI(in.uri()).putHeader("Content-Type", "application/json")
                        .putHeader("Authorization", String.valueOf(in.getHeader("Authorization"))))
                .compose(req -> req.send(body))
                .compose(resp -> resp.body().onSuccess(answer -> in.response().setStatusCode(resp.statusCode())
                        .putHeader("Content-Type", "application/json").end(answer)))
                .onFailure(e -> in.response().setStatusCode(502).end())))
                .listen(port, "127.0.0.1");
    }
}
