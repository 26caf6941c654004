using MimeKit;

namespace SalesMind.TestSupport;

/// <summary>Reads what the stack's mail server delivered into its one Maildir.</summary>
public static class Mailbox
{
    /// <summary>
    /// Every message delivered to <paramref name="address"/> (by its X-Original-To), oldest first;
    /// only those of <paramref name="template"/> (its X-SalesMind-Template header) when given.
    /// </summary>
    public static IReadOnlyList<MimeMessage> For(string address, string? template = null)
    {
        var found = new List<(DateTime, MimeMessage)>();
        foreach (var folder in new[] { "new", "cur" })
        {
            var dir = Path.Combine(Stack.Maildir, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir))
            {
                MimeMessage message;
                try
                {
                    message = MimeMessage.Load(file);
                }
                catch (IOException)
                {
                    continue;
                }

                if (string.Equals(message.Headers["X-Original-To"], address, StringComparison.OrdinalIgnoreCase)
                    && (template is null || message.Headers["X-SalesMind-Template"] == template))
                {
                    found.Add((File.GetLastWriteTimeUtc(file), message));
                }
            }
        }

        return found.OrderBy(f => f.Item1).Select(f => f.Item2).ToList();
    }

    /// <summary>Waits until at least <paramref name="count"/> messages for <paramref name="address"/> (of <paramref name="template"/>, if given) arrived.</summary>
    public static async Task<IReadOnlyList<MimeMessage>> WaitForAsync(string address, TimeSpan timeout, int count = 1, string? template = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var messages = For(address, template);
            if (messages.Count >= count)
            {
                return messages;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{messages.Count} of {count} {template ?? "message"}(s) for {address} arrived in {Stack.Maildir} within {timeout}.");
            }

            await Task.Delay(50);
        }
    }
}
