; Inno Setup script for the desk app on Windows: wraps the PyInstaller one-folder build
; (dist\desk-app\) into one installer. Build: see packaging/windows/build-windows.ps1.
;
; - installs per machine into Program Files, with a Start-menu entry (and an optional
;   desktop icon) for "Bộ phận Một cửa";
; - the data folder is per machine, %ProgramData%\desk-app\data, named to the program
;   through the machine-wide DESK_APP_DATA_DIR variable; the installer creates it and
;   gives it to the local Administrators and SYSTEM only, plus the Windows account that
;   runs the desk (asked for on the "Tài khoản" page; the account that installs by default);
; - uninstalling removes the program and never the data folder (dossiers, backups,
;   keys stay until an administrator deletes them by hand).

#define AppName "Bộ phận Một cửa"
#define AppExe "desk-app.exe"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{4E1D3F9A-6C1B-4F0E-9A57-3D2C8B7E51A0}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=UBND xã
DefaultDirName={autopf}\desk-app
DefaultGroupName={#AppName}
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\build\windows
OutputBaseFilename=desk-app-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes
UninstallDisplayIcon={app}\{#AppExe}

[Languages]
Name: "vi"; MessagesFile: "compiler:Languages\Vietnamese.isl"

[Tasks]
Name: "desktopicon"; Description: "Tạo biểu tượng trên màn hình nền"; Flags: unchecked

[Files]
Source: "..\..\build\windows\dist\desk-app\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Dirs]
; uninsneveruninstall: the commune's records outlive the program.
Name: "{commonappdata}\desk-app\data"; Flags: uninsneveruninstall

[Registry]
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; \
  ValueType: expandsz; ValueName: "DESK_APP_DATA_DIR"; \
  ValueData: "{commonappdata}\desk-app\data"; Flags: preservestringtype

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\Hướng dẫn sử dụng"; Filename: "{app}\{#AppExe}"; Parameters: "quick-reference --out ""{userdocs}\bang-tra-cuu-nhanh.pdf"""
Name: "{group}\Gỡ cài đặt {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
; The data folder belongs to the desk's Windows account only (issue: personal data at rest).
Filename: "{sys}\icacls.exe"; \
  Parameters: """{commonappdata}\desk-app\data"" /inheritance:r /grant:r ""*S-1-5-32-544:(OI)(CI)F"" ""*S-1-5-18:(OI)(CI)F"" ""{username}:(OI)(CI)M"""; \
  Flags: runhidden
Filename: "{app}\{#AppExe}"; Description: "Mở {#AppName}"; Flags: nowait postinstall skipifsilent
