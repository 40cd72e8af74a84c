module parcours-e2e/mmserver

go 1.26

// Mirrors the server's own go.mod: replace directives of dependencies are ignored.
replace github.com/olekukonko/tablewriter => github.com/olekukonko/tablewriter v0.0.5

require (
	github.com/mattermost/mattermost/server/public v0.1.22-0.20260113165922-8e4cadbc88ee // indirect
	github.com/mattermost/mattermost/server/v8 v8.0.0-20260113162330-9e1d4c2072c0 // indirect
)
