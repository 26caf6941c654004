using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using SalesMind.Identity.Data;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.UnitTests;

/// <summary>Queries EF warns about fail on a developer's machine and in tests, and only there.</summary>
public sealed class QueryWarningTests
{
    private static IdentityDb Db(string environment) =>
        new(new DbContextOptionsBuilder<IdentityDb>()
            .UseNpgsql("Host=127.0.0.1;Port=1;Database=unused")
            .ThrowOnQueryWarningsIn(new Environment(environment))
            .Options);

    [Fact]
    public void A_row_limit_without_an_order_throws_in_development()
    {
        using var db = Db(Environments.Development);

        Assert.Throws<InvalidOperationException>(() => db.Users.Take(2).ToQueryString());
    }

    [Fact]
    public void In_production_the_same_query_only_warns()
    {
        using var db = Db(Environments.Production);

        Assert.Contains("LIMIT", db.Users.Take(2).ToQueryString(), StringComparison.Ordinal);
    }

    private sealed class Environment(string name) : IWebHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "tests";
        public string WebRootPath { get; set; } = "";
        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();
        public string ContentRootPath { get; set; } = "";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
