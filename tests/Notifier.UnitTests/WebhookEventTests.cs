using System.Text.Json;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Webhooks;

namespace SalesMind.Notifier.UnitTests;

/// <summary>Which status changes become which webhook events, their body, the retry schedule, secrets and settings.</summary>
public sealed class WebhookEventTests
{
    [Theory]
    [InlineData("delivered", "delivered")]
    [InlineData("bounced", "bounced")]
    [InlineData("complained", "complained")]
    [InlineData("deferred", "deferred")]
    [InlineData("failed", "failed")]
    [InlineData("abandoned", "failed")]
    [InlineData("suppressed", "suppressed")]
    [InlineData("queued", null)]
    [InlineData("sending", null)]
    [InlineData("sent", null)]
    [InlineData("3", null)]
    [InlineData("nonsense", null)]
    public void Statuses_map_to_events(string status, string? @event) => Assert.Equal(@event, WebhookEvents.For(status));

    [Fact]
    public void Every_status_the_ledger_announces_to_the_outside_is_either_an_event_or_deliberately_not()
    {
        var silent = new[] { DeliveryStatus.Queued, DeliveryStatus.Sending, DeliveryStatus.Sent };
        foreach (var status in Enum.GetValues<DeliveryStatus>().Except(silent))
        {
            Assert.Contains(WebhookEvents.For(status.Name()), WebhookEvents.All);
        }
    }

    [Fact]
    public void The_body_is_snake_case_with_the_event_as_type_and_status()
    {
        var eventId = Guid.NewGuid();
        var at = new DateTimeOffset(2026, 11, 30, 4, 0, 0, TimeSpan.Zero);
        var change = new EmailDeliveryStatusChanged(Guid.NewGuid(), Guid.NewGuid(), "welcome", "gone@example.org", "abandoned", "451 4.7.1 try later", 5, at, "throttled");

        var body = JsonDocument.Parse(WebhookEvents.DeliveryPayload(eventId, "failed", change, at.AddSeconds(1))).RootElement;

        Assert.Equal(eventId, body.GetProperty("id").GetGuid());
        Assert.Equal("delivery.failed", body.GetProperty("type").GetString());
        Assert.Equal(at.AddSeconds(1), body.GetProperty("created_at").GetDateTimeOffset());
        var data = body.GetProperty("data");
        Assert.Equal(
            ["delivery_id", "template", "recipient", "status", "failure_class", "diagnostic", "attempt", "occurred_at"],
            data.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("failed", "throttled", 5), (data.GetProperty("status").GetString(), data.GetProperty("failure_class").GetString(), data.GetProperty("attempt").GetInt32()));
        Assert.Equal(change.DeliveryId, data.GetProperty("delivery_id").GetGuid());
    }

    [Fact]
    public void Waits_grow_threefold_within_twenty_percent_up_to_the_cap()
    {
        var first = TimeSpan.FromSeconds(30);
        var max = TimeSpan.FromHours(6);
        Assert.Equal(TimeSpan.FromSeconds(24), WebhookBackoff.Delay(1, first, max, 0));
        Assert.Equal(TimeSpan.FromSeconds(36), WebhookBackoff.Delay(1, first, max, 1));
        Assert.Equal(TimeSpan.FromSeconds(90), WebhookBackoff.Delay(2, first, max, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(270), WebhookBackoff.Delay(3, first, max, 0.5));
        Assert.Equal(max, WebhookBackoff.Delay(20, first, max, 0.5));
        Assert.Equal(max * 1.2, WebhookBackoff.Delay(1000, first, max, 1));
    }

    [Fact]
    public void The_default_schedule_spreads_eight_tries_over_hours()
    {
        var o = new WebhookOptions();
        var total = Enumerable.Range(1, o.MaxAttempts - 1).Aggregate(TimeSpan.Zero, (sum, n) => sum + WebhookBackoff.Delay(n, o.FirstRetryDelay, o.MaxRetryDelay, 0.5));

        Assert.Equal(8, o.MaxAttempts);
        Assert.InRange(total, TimeSpan.FromHours(4), TimeSpan.FromHours(24));
    }

    [Fact]
    public void A_secret_is_shown_as_whsec_base64url_and_its_seal_opens_only_for_its_own_endpoint()
    {
        var secrets = new WebhookSecrets(Options.Create(new BodyEncryptionOptions { BodyEncryptionKey = Convert.ToBase64String(new byte[32]) }));
        var secret = WebhookSecrets.Generate();
        var endpoint = Guid.NewGuid();

        Assert.Matches("^whsec_[A-Za-z0-9_-]{43}$", secret);
        Assert.NotEqual(secret, WebhookSecrets.Generate());
        var sealedSecret = secrets.Seal(endpoint, secret);
        Assert.True(sealedSecret.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) < 0, "the secret is stored in clear");
        Assert.Equal(secret, secrets.Open(endpoint, sealedSecret));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => secrets.Open(Guid.NewGuid(), sealedSecret));
        sealedSecret[^1] ^= 1;
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => secrets.Open(endpoint, sealedSecret));
    }

    [Fact]
    public void Settings_that_would_break_the_guard_or_the_lease_are_refused_naming_the_key()
    {
        var bad = new WebhookOptions { AllowedPrivateNetworks = ["10.0.0.0/8", "10.0.0.1/8", "banana"], Timeout = TimeSpan.FromSeconds(30), LockDuration = TimeSpan.FromSeconds(40) };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(bad, new(bad), results, validateAllProperties: true));

        var messages = results.Select(r => r.ErrorMessage!).ToList();
        Assert.Contains(messages, m => m.StartsWith("Webhooks:AllowedPrivateNetworks:1", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Webhooks:AllowedPrivateNetworks:2", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Webhooks:LockDuration", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains("AllowedPrivateNetworks:0", StringComparison.Ordinal));
        var defaults = new WebhookOptions();
        Assert.True(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(defaults, new(defaults), [], validateAllProperties: true));
    }
}
