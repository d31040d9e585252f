; Boligsag's Windows installer (NSIS 3, Modern UI 2, MultiUser).
;
;   makensis -DVERSION=0.1.0 -DSOURCE_DIR=dist\boligsag [-DOUTFILE=...] [-DICON=...] ^
;            installer\windows\boligsag.nsi
;
; SOURCE_DIR is PyInstaller's one-folder build (installer/boligsag.spec): boligsag.exe
; (windowed), boligsag-cli.exe (console twin) and _internal\.
;
; Modes:
;   double-click, or /S             per user, no administrator rights:
;                                   %LOCALAPPDATA%\Programs\Boligsag, HKCU entries
;   /ALLUSERS (or /AllUsers) [/S]   per machine, from an elevated prompt or a deployment
;                                   tool: %ProgramFiles%\Boligsag, HKLM entries
;   /D=FOLDER (last)                another program folder
; Exit code 740 (ERROR_ELEVATION_REQUIRED) when /ALLUSERS is asked for without
; administrator rights; nothing is installed then.
;
; The uninstaller removes the program folder, the Start-menu shortcut and the
; Add/Remove Programs entry. It never touches the user's data: the encrypted database,
; its key file and the settings live in %LOCALAPPDATA%\Boligsag (app_settings.py), a
; different folder, and the uninstaller says so.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "VERSION is not defined: makensis -DVERSION=X.Y.Z (pyproject.toml's version)"
!endif
!ifndef SOURCE_DIR
  !error "SOURCE_DIR is not defined: makensis -DSOURCE_DIR=dist\boligsag"
!endif
!define /ifndef OUTFILE "Boligsag-${VERSION}-setup.exe"

!define APP_NAME "Boligsag"
!define PUBLISHER "Boligsag"
!define GUI_EXE "boligsag.exe"
!define CLI_EXE "boligsag-cli.exe"
!define UNINSTALLER "uninstall.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Boligsag"
; What PyInstaller puts beside the programs (its 6.x default contents folder).
!define CONTENTS_DIR "_internal"
; The user's data folder: platformdirs' user_data_dir on Windows (app_settings.py).
!define DATA_SUBDIR "Boligsag"
!define ERROR_ELEVATION_REQUIRED 740

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTFILE}"
BrandingText "${APP_NAME} ${VERSION}"

; File properties of setup.exe need a four-part number; "0.1.0" becomes 0.1.0.0.
!searchparse /noerrors "${VERSION}" "" V_MAJOR "." V_MINOR "." V_PATCH
!define /ifndef V_MAJOR 0
!define /ifndef V_MINOR 0
!define /ifndef V_PATCH 0
VIProductVersion "${V_MAJOR}.${V_MINOR}.${V_PATCH}.0"
VIAddVersionKey /LANG=0 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_NAME} Setup"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

; ---- MultiUser: per-user by default, never a UAC prompt on double-click ------------
; Standard execution level (RequestExecutionLevel user): staff on managed laptops have
; no administrator rights, and an elevated per-user install would land in the
; administrator's profile instead of theirs. Per-machine needs an already elevated
; process (the IT department's deployment tool or an administrator's prompt).
!define MULTIUSER_EXECUTIONLEVEL Standard
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_INSTALLMODE_INSTDIR "${APP_NAME}"
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_MUI
!include MultiUser.nsh
!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include x64.nsh

; ---- Modern UI pages ------------------------------------------------------------------
!define MUI_ABORTWARNING
!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"
!define MUI_UNCONFIRMPAGE_TEXT_TOP "$(DataKeptConfirm)"
!define MUI_UNFINISHPAGE_NOAUTOCLOSE

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_UNPAGE_FINISH

; The first language is the default: Danish, unless Windows runs in English.
!insertmacro MUI_LANGUAGE "Danish"
!insertmacro MUI_LANGUAGE "English"

LangString AllUsersNeedsAdmin ${LANG_DANISH} "Installation for alle brugere (/ALLUSERS) kræver administratorrettigheder. Start installationen fra en kommandoprompt, der kører som administrator, eller uden /ALLUSERS for kun din egen bruger."
LangString AllUsersNeedsAdmin ${LANG_ENGLISH} "Installing for all users (/ALLUSERS) needs administrator rights. Start the installer from a command prompt running as administrator, or without /ALLUSERS for your own user only."
LangString NotInDataFolder ${LANG_DANISH} "Programmet kan ikke installeres i mappen med dine data ($0). Vælg en anden mappe."
LangString NotInDataFolder ${LANG_ENGLISH} "The program cannot be installed in the folder holding your data ($0). Choose another folder."
LangString AllUsersUninstallNeedsAdmin ${LANG_DANISH} "Boligsag er installeret for alle brugere. Afinstallationen kræver administratorrettigheder."
LangString AllUsersUninstallNeedsAdmin ${LANG_ENGLISH} "Boligsag is installed for all users. Uninstalling it needs administrator rights."
LangString DataKeptConfirm ${LANG_DANISH} "Programmet fjernes fra computeren. Dine data slettes IKKE: databasen, dens nøglefil og indstillingerne bliver liggende i hver brugers mappe %LOCALAPPDATA%\${DATA_SUBDIR}."
LangString DataKeptConfirm ${LANG_ENGLISH} "The program is removed from this computer. Your data is NOT deleted: the database, its key file and the settings stay in each user's folder %LOCALAPPDATA%\${DATA_SUBDIR}."
LangString DataKeptDone ${LANG_DANISH} "Boligsag er afinstalleret. Dine data er ikke slettet: de ligger stadig i $0. Slet mappen selv, når de ikke skal bruges mere (tag først en sikkerhedskopi, og husk, at databasen ikke kan åbnes uden nøglefilen)."
LangString DataKeptDone ${LANG_ENGLISH} "Boligsag has been uninstalled. Your data has not been deleted: it is still in $0. Delete that folder yourself when it is no longer needed (make a backup first, and remember that the database cannot be opened without its key file)."

Var AllUsersAsked
Var ChosenDir

; ---- Helpers --------------------------------------------------------------------------

!macro WantsAllUsers RESULT
  ; /ALLUSERS as the brief and IT scripts spell it, /AllUsers as MultiUser.nsh does;
  ; GetOptions compares without case, so both are one option.
  ${GetParameters} $R9
  ClearErrors
  ${GetOptions} $R9 "/ALLUSERS" $R8
  ${If} ${Errors}
    StrCpy ${RESULT} 0
  ${Else}
    StrCpy ${RESULT} 1
  ${EndIf}
!macroend

!macro RemoveProgramFiles
  ; Only what the installer put there: a folder chosen with /D= may hold other files,
  ; and the user's data folder is never the program folder (checked at install).
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  RMDir /r "$INSTDIR\${CONTENTS_DIR}"
!macroend

; ---- Installer ------------------------------------------------------------------------

Function .onInit
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  StrCpy $ChosenDir $INSTDIR  ; set only by /D=: there is no InstallDir
  !insertmacro WantsAllUsers $AllUsersAsked
  UserInfo::GetAccountType
  Pop $0
  ${If} $AllUsersAsked == 1
  ${AndIf} $0 != "Admin"
    ; Said here, with /SD so a silent deployment is not left waiting on a dialog, and
    ; with the exit code Windows uses for "needs elevation".
    MessageBox MB_OK|MB_ICONSTOP "$(AllUsersNeedsAdmin)" /SD IDOK
    SetErrorLevel ${ERROR_ELEVATION_REQUIRED}
    Quit
  ${EndIf}
  !insertmacro MULTIUSER_INIT
  ${If} $AllUsersAsked == 1
    Call MultiUser.InstallMode.AllUsers
  ${EndIf}
  ; MultiUser sets its default folder for the mode; /D= wins over it.
  ${If} $ChosenDir != ""
    StrCpy $INSTDIR $ChosenDir
  ${EndIf}
FunctionEnd

Function .onVerifyInstDir
  ; Never the user's data folder: uninstalling would then reach the database.
  Push $0
  StrCpy $0 "$LOCALAPPDATA\${DATA_SUBDIR}"
  ${If} $INSTDIR == $0
    Pop $0
    Abort
  ${EndIf}
  Pop $0
FunctionEnd

Section "Boligsag" SecMain
  SectionIn RO
  ; A silent install skips .onVerifyInstDir's page: check again.
  StrCpy $0 "$LOCALAPPDATA\${DATA_SUBDIR}"
  ${If} $INSTDIR == $0
  ${OrIf} ${FileExists} "$INSTDIR\boligsag.db"
    MessageBox MB_OK|MB_ICONSTOP "$(NotInDataFolder)" /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}

  SetOutPath "$INSTDIR"
  ; An upgrade replaces the previous version's files rather than mixing with them.
  !insertmacro RemoveProgramFiles
  File /r "${SOURCE_DIR}\*.*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${GUI_EXE}" "" \
      "$INSTDIR\${GUI_EXE}" 0 SW_SHOWNORMAL "" "${APP_NAME}"

  ; Add/Remove Programs, in HKLM or HKCU by mode (SHCTX follows SetShellVarContext).
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE},0"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  ; No mode on the uninstaller's command line: it finds its mode from HKLM (un.onInit).
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallMode" "$MultiUser.InstallMode"
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

; ---- Uninstaller ----------------------------------------------------------------------

Function un.onInit
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  !insertmacro MULTIUSER_UNINIT
  ; The mode is where this copy was installed, not what the command line says: a
  ; per-machine install is the one HKLM's entry points at.
  ReadRegStr $0 HKLM "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $0 == $INSTDIR
    UserInfo::GetAccountType
    Pop $1
    ${If} $1 != "Admin"
      MessageBox MB_OK|MB_ICONSTOP "$(AllUsersUninstallNeedsAdmin)" /SD IDOK
      SetErrorLevel ${ERROR_ELEVATION_REQUIRED}
      Quit
    ${EndIf}
    Call un.MultiUser.InstallMode.AllUsers
  ${Else}
    Call un.MultiUser.InstallMode.CurrentUser
  ${EndIf}
FunctionEnd

Section "Uninstall"
  !insertmacro RemoveProgramFiles
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"  ; only if empty: never /r, see RemoveProgramFiles
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  DeleteRegKey SHCTX "${UNINSTALL_KEY}"

  ; The data folder is deliberately left alone; say where it is.
  ${If} $MultiUser.InstallMode == "AllUsers"
    StrCpy $0 "%LOCALAPPDATA%\${DATA_SUBDIR}"
  ${Else}
    StrCpy $0 "$LOCALAPPDATA\${DATA_SUBDIR}"
  ${EndIf}
  DetailPrint "$(DataKeptDone)"
  MessageBox MB_OK|MB_ICONINFORMATION "$(DataKeptDone)" /SD IDOK
SectionEnd
