using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace SalesMind.ServiceDefaults;

/// <summary>
/// EF Core's warnings about queries whose answer is not well defined (a row limit without an
/// order, First without an order or filter) or whose cost explodes (several collections joined
/// in one query). On a developer's machine and in every test such a query throws, so it is
/// fixed before it ships; in production it stays a warning, never a failed request.
/// </summary>
public static class QueryWarnings
{
    public static TBuilder ThrowOnQueryWarningsIn<TBuilder>(this TBuilder options, IHostEnvironment environment)
        where TBuilder : DbContextOptionsBuilder
    {
        if (environment.IsDevelopment())
        {
            options.ConfigureWarnings(w => w.Throw(
                CoreEventId.RowLimitingOperationWithoutOrderByWarning,
                CoreEventId.FirstWithoutOrderByAndFilterWarning,
                CoreEventId.DistinctAfterOrderByWithoutRowLimitingOperatorWarning,
                RelationalEventId.MultipleCollectionIncludeWarning));
        }

        return options;
    }
}
