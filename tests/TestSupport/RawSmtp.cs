using System.Net.Sockets;
using System.Text;
using Xunit;

namespace SalesMind.TestSupport;

/// <summary>
/// An SMTP client that writes commands exactly as given: what an attacker types, where a client
/// library would refuse or re-quote a hostile MAIL FROM.
/// </summary>
public static class RawSmtp
{
    /// <summary>Hands one short message from <paramref name="sender"/> to <paramref name="recipient"/>; every reply must be positive.</summary>
    public static async Task SendAsync(string host, int port, string sender, string recipient)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port);
        await using var stream = tcp.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };

        async Task<string> ReplyAsync()
        {
            string line;
            do
            {
                line = await reader.ReadLineAsync() ?? throw new IOException("connection closed");
            }
            while (line.Length > 3 && line[3] == '-');
            return line;
        }

        async Task ExpectAsync(string command, char code)
        {
            await writer.WriteLineAsync(command);
            var reply = await ReplyAsync();
            Assert.True(reply[0] == code, $"{command} → {reply}");
        }

        Assert.StartsWith("220", await ReplyAsync());
        await ExpectAsync("EHLO attacker.test", '2');
        await ExpectAsync($"MAIL FROM:<{sender}>", '2');
        await ExpectAsync($"RCPT TO:<{recipient}>", '2');
        await ExpectAsync("DATA", '3');
        await ExpectAsync("Subject: hello\r\n\r\nhello\r\n.", '2');
        await writer.WriteLineAsync("QUIT");
    }
}
