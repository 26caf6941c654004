using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesMind.Identity.Data.Migrations
{
    /// <inheritdoc />
    public partial class VerificationReminder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "verification_reminder_sent_at",
                table: "users",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "verification_reminder_sent_at",
                table: "users");
        }
    }
}
