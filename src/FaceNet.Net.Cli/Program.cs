using FaceNet.Net;
using System.CommandLine;
using FaceNet.Net.Cli.Commands;
using FaceNet.Net.CommandLine;

// The tool owns its process: it opts into the process-wide malloc and OpenMP tunings (docs/performance.md, section 14).
FaceNetRuntime.Configure(FaceNetRuntime.Options.WithProcessTuning());

var root = new RootCommand("facenet: face verification and recognition with FaceNet.Net");
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
return CliHost.Run(root, args, "facenet");
