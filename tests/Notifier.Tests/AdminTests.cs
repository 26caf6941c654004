using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

[Collection(NotifierCollection.Name)]
public sealed class AdminTests(NotifierApp app)
{
    [Fact]
    public async Task Every_admin_endpoint_answers_401_without_a_token_and_403_to_a_non_admin()
    {
        await AdminEndpoints.AssertOnlyAdminsGetInAsync(app.Services, app.CreateClient(), atLeast: 22);
    }
}
