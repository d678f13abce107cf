using System.Diagnostics;

namespace PolyAi.Messaging.DevStack;

/// <summary>One part of the stack running as its own process, its output prefixed with its name.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly ProcessStartInfo _startInfo;
    private readonly Action<string, string> _log;
    private readonly Queue<string> _recent = new();
    private Process? _process;
    private bool _stopping;

    public ChildProcess(string name, string assemblyPath, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, Action<string, string> log)
    {
        Name = name;
        _log = log;
        _startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _startInfo.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
        {
            _startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            _startInfo.Environment[key] = value;
        }
    }

    public string Name { get; }

    /// <summary>Raised when the process ends without having been asked to.</summary>
    public event Action<ChildProcess, int>? ExitedUnexpectedly;

    public bool IsRunning => _process is { HasExited: false };

    public int? ProcessId => _process?.Id;

    /// <summary>The last lines the process printed, for error messages.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_recent)
            {
                return string.Join(Environment.NewLine, _recent);
            }
        }
    }

    /// <param name="environment">Variables for this start only, on top of the part's own (e.g. an armed crash point).</param>
    public void Start(IReadOnlyDictionary<string, string>? environment = null)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        _stopping = false;
        _process?.Dispose(); // exited by itself (a crash): its handle is no longer needed
        var startInfo = _startInfo;
        if (environment is { Count: > 0 })
        {
            startInfo = new ProcessStartInfo(_startInfo.FileName)
            {
                WorkingDirectory = _startInfo.WorkingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in _startInfo.ArgumentList)
            {
                startInfo.ArgumentList.Add(argument);
            }

            foreach (var (key, value) in _startInfo.Environment)
            {
                startInfo.Environment[key] = value;
            }

            foreach (var (key, value) in environment)
            {
                startInfo.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Exited += (_, _) =>
        {
            if (!_stopping)
            {
                ExitedUnexpectedly?.Invoke(this, process.ExitCode);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Waits until the process has exited by itself (e.g. at an armed crash point); false if it still runs.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan within)
    {
        if (_process is not { } process)
        {
            return true;
        }

        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Ends the process at once (SIGKILL): what a crash looks like to the rest of the system.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _stopping = true;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_recent)
        {
            _recent.Enqueue(line);
            if (_recent.Count > 40)
            {
                _recent.Dequeue();
            }
        }

        _log(Name, line);
    }
}
