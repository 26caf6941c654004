using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesMind.Notifier.Data.Migrations
{
    /// <inheritdoc />
    public partial class RedactedBodies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "links_redacted",
                table: "deliveries",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<byte[]>(
                name: "sealed_body",
                table: "deliveries",
                type: "bytea",
                nullable: true);

            // Rows stored before this migration kept live links. Those the dispatcher is done with
            // are redacted in place (the same rule as SecretRedaction); rows still waiting to be
            // sent keep theirs until they are sent, as before.
            migrationBuilder.Sql("""
                UPDATE deliveries
                   SET subject = regexp_replace(subject, '([?&#;](?:[a-z_]*token|code)=)[^&#[:space:]"''<>\\]+', '\1[redacted]', 'gi'),
                       html_body = regexp_replace(html_body, '([?&#;](?:[a-z_]*token|code)=)[^&#[:space:]"''<>\\]+', '\1[redacted]', 'gi'),
                       text_body = regexp_replace(text_body, '([?&#;](?:[a-z_]*token|code)=)[^&#[:space:]"''<>\\]+', '\1[redacted]', 'gi')
                 WHERE status NOT IN ('queued', 'deferred', 'sending');
                """);

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_actor_action_at",
                table: "audit_entries",
                columns: new[] { "actor", "action", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_audit_entries_actor_action_at",
                table: "audit_entries");

            migrationBuilder.DropColumn(
                name: "links_redacted",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "sealed_body",
                table: "deliveries");
        }
    }
}
