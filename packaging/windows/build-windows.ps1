# Build the Windows installer: PyInstaller one-folder build, a smoke test of the frozen
# program, then Inno Setup. Run from a PowerShell in the repository root on Windows 10/11
# x64 with Python 3.11–3.13 and Inno Setup 6 installed (winget install JRSoftware.InnoSetup).
$ErrorActionPreference = "Stop"
py -m venv .venv-win
.\.venv-win\Scripts\pip install -q -e . "pyinstaller>=6.10"
.\.venv-win\Scripts\pyinstaller --noconfirm --clean --distpath build\windows\dist `
  --workpath build\windows\work packaging\desk-app.spec
$exe = "build\windows\dist\desk-app\desk-app.exe"
# A windowed (console=False) program: wait for it and read its output from a file.
$p = Start-Process $exe -ArgumentList "--version" -Wait -PassThru `
  -RedirectStandardOutput build\windows\version.txt
if ($p.ExitCode -ne 0) { throw "the frozen program does not start" }
Get-Content build\windows\version.txt
$version = (.\.venv-win\Scripts\python -c "import desk_app; print(desk_app.__version__)")
& "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" "/DAppVersion=$version" packaging\windows\desk-app.iss
Get-Item "build\windows\desk-app-setup-$version.exe" | Select-Object FullName, Length
