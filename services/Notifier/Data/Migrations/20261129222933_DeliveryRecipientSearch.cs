using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesMind.Notifier.Data.Migrations
{
    /// <inheritdoc />
    public partial class DeliveryRecipientSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_deliveries_recipient",
                table: "deliveries");

            migrationBuilder.AddColumn<string>(
                name: "recipient_domain",
                table: "deliveries",
                type: "character varying(254)",
                maxLength: 254,
                nullable: true,
                computedColumnSql: "regexp_replace(lower(recipient), '^.*@', '')",
                stored: true);

            migrationBuilder.AddColumn<string>(
                name: "recipient_key",
                table: "deliveries",
                type: "character varying(254)",
                maxLength: 254,
                nullable: true,
                computedColumnSql: "lower(recipient)",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_recipient_domain",
                table: "deliveries",
                column: "recipient_domain");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_recipient_key",
                table: "deliveries",
                column: "recipient_key")
                .Annotation("Npgsql:IndexOperators", new[] { "text_pattern_ops" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_deliveries_recipient_domain",
                table: "deliveries");

            migrationBuilder.DropIndex(
                name: "ix_deliveries_recipient_key",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "recipient_domain",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "recipient_key",
                table: "deliveries");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_recipient",
                table: "deliveries",
                column: "recipient");
        }
    }
}
