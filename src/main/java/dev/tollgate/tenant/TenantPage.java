package dev.tollgate.tenant;

import java.util.List;

/** One page of a tenant search. */
public record TenantPage(List<Tenant> tenants, long total, int page, int size) {

    public int pageCount() {
        return (int) Math.max(1, (total + size - 1) / size);
    }

    public boolean hasNext() {
        return page + 1 < pageCount();
    }

    public boolean hasPrevious() {
        return page > 0;
    }
}
