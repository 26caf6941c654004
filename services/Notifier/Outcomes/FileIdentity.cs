using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// Which file an open handle reads, whatever it is called now: <c>device:inode</c>, as
/// <c>stat -c %d:%i</c> prints it. A log renamed by a rotation keeps its identity; the new file
/// at the old name has another, and so has a copy.
/// </summary>
/// <remarks>
/// .NET has no API for the inode, so it comes from libc's <c>fstat</c> on the handle itself (no
/// race with a rename between naming the file and reading it). On 64-bit Linux (x86_64 and
/// arm64 alike) <c>struct stat</c> begins with <c>st_dev</c> then <c>st_ino</c>, 8 bytes each;
/// elsewhere the layout differs and the identity is unknown (null): the mail log is then
/// recognised by its first line alone.
/// </remarks>
public static class FileIdentity
{
    /// <summary>Larger than <c>struct stat</c> on every supported platform (144 bytes on x86_64, 128 on arm64).</summary>
    private const int StatBufferSize = 256;

    private static bool _available = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Whether identities can be known here (64-bit Linux with a C library that exports <c>fstat</c>: glibc 2.33 or later, musl).</summary>
    public static bool IsSupported => _available;

    /// <summary>The identity of the file <paramref name="handle"/> has open, or null where it cannot be known.</summary>
    public static string? Of(SafeFileHandle handle)
    {
        if (!IsSupported)
        {
            return null;
        }

        var buffer = new byte[StatBufferSize];
        int result;
        try
        {
            result = Fstat(handle, buffer);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // An older C library (fstat only as a macro around __fxstat): fall back to the first line.
            _available = false;
            return null;
        }

        if (result != 0)
        {
            throw new IOException($"fstat failed (errno {Marshal.GetLastPInvokeError()})");
        }

        var device = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(0, 8));
        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(8, 8));
        return $"{device}:{inode}";
    }

    /// <summary>The identity of the file at <paramref name="path"/>, or null where it cannot be known.</summary>
    public static string? Of(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return Of(handle);
    }

    // "libc" is mapped by the runtime to the C library actually loaded (glibc's libc.so.6 or musl's).
    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static extern int Fstat(SafeFileHandle fd, [Out] byte[] buffer);
}
