using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Notifier.Admin;

public static class AdminApi
{
    /// <summary>Every admin endpoint, under one group that requires an authenticated admin.</summary>
    public static RouteGroupBuilder MapAdminApi(this WebApplication app) =>
        app.MapGroup("/api/admin").RequireAuthorization(AdminAuth.AdminPolicy)
            .MapTemplates()
            .MapSenders()
            .MapDeliveries()
            .MapRejectedReports()
            .MapDmarcReports()
            .MapDashboard()
            .MapDomainActivity()
            .MapAudit()
            .MapOutboxAdmin()
            .MapErrorQueues()
            .MapDomainHealth();
}
