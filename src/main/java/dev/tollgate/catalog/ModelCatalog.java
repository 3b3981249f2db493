package dev.tollgate.catalog;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The models Tollgate serves: rows of the model table, held in memory and re-read every minute. */
@ApplicationScoped
public class ModelCatalog {

    /** One read of the catalog: the models in order, and by id (the gateway asks on every call). */
    private record Catalog(List<CatalogModel> models, Map<String, CatalogModel> byId) {
    }

    @Inject
    AgroalDataSource dataSource;

    private final LoadingCache<String, Catalog> catalog = Caffeine.newBuilder()
            .refreshAfterWrite(Duration.ofMinutes(1))
            .build(k -> load());

    public List<CatalogModel> models() {
        return catalog.get("all").models();
    }

    public Set<String> ids() {
        return catalog.get("all").byId().keySet();
    }

    public Optional<CatalogModel> find(String id) {
        return Optional.ofNullable(catalog.get("all").byId().get(id));
    }

    private Catalog load() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "select id, owned_by, created from model where enabled order by sort_order, id")) {
            List<CatalogModel> result = new ArrayList<>();
            Map<String, CatalogModel> byId = new HashMap<>();
            while (rs.next()) {
                CatalogModel m = new CatalogModel(rs.getString(1), rs.getString(2),
                        rs.getObject(3, OffsetDateTime.class).toInstant());
                result.add(m);
                byId.put(m.id(), m);
            }
            return new Catalog(List.copyOf(result), Map.copyOf(byId));
        }
    }
}
